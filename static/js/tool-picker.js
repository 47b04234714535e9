/* Tool pickers: a text field that suggests tools as you type (typos forgiven).
 *
 * Progressive enhancement of <input data-suggest="/api/v1/tools/suggest">: without this
 * script the field still takes a slug or a tool's exact name, which the server resolves. With
 * it, a list of the best matches opens under the field; choosing one puts the tool's slug in
 * the field, so the form submits the slug. No inline script or style (the CSP forbids both).
 */
(function () {
  "use strict";

  function setup(input) {
    var url = input.getAttribute("data-suggest");
    var list = document.createElement("ul");
    var timer = null;
    var active = -1;
    var seq = 0;
    var items = [];

    list.className = "picker-list";
    list.id = input.id + "-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    input.parentNode.classList.add("picker");
    input.insertAdjacentElement("afterend", list);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(item) {
      input.value = item.slug;
      input.setAttribute("data-chosen-name", item.name);
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function highlight(index) {
      var nodes = list.children;
      if (!nodes.length) { return; }
      active = (index + nodes.length) % nodes.length;
      for (var i = 0; i < nodes.length; i++) {
        nodes[i].setAttribute("aria-selected", String(i === active));
      }
      input.setAttribute("aria-activedescendant", nodes[active].id);
    }

    function render(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (item, i) {
        var li = document.createElement("li");
        var name = document.createElement("span");
        var slug = document.createElement("span");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        name.textContent = item.name;
        slug.className = "picker-slug";
        slug.textContent = item.slug;
        li.appendChild(name);
        li.appendChild(slug);
        // mousedown, not click: it fires before the field loses focus and closes the list.
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(item);
        });
        list.appendChild(li);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", String(found.length > 0));
      active = -1;
    }

    function lookup() {
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      var mine = ++seq;
      fetch(url + "?limit=10&q=" + encodeURIComponent(q),
            { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (found) { if (mine === seq) { render(found); } })
        .catch(close);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(items[active]); }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", close);
  }

  document.querySelectorAll("input[data-suggest]").forEach(setup);
}());
