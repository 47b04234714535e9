"""Pure governance analysis over networkx: no Flask, no ORM session, only `snapshot` records in."""
