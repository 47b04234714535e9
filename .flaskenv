FLASK_APP=catalog
