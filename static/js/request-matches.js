/* The request form's duplicate hints: as the requester types a tool name, list the catalog's
 * tools that name may stand for, with what to do instead ("ask its owner for access",
 * "request again with what changed"). The server checks again when the form is sent; this is
 * only the early warning. No inline script (the CSP forbids it); text goes in as text nodes.
 */
(function () {
  "use strict";

  function setup(input) {
    var url = input.getAttribute("data-request-matches");
    var box = document.getElementById("name-matches");
    var website = document.getElementById("website");
    var timer = null;
    var seq = 0;

    function show(matches) {
      box.textContent = "";
      if (!matches.length) { return; }
      var title = document.createElement("p");
      title.className = "hint";
      title.textContent = "Already in the catalog:";
      box.appendChild(title);
      var list = document.createElement("ul");
      matches.forEach(function (m) {
        var li = document.createElement("li");
        li.className = "match-" + m.status;
        li.setAttribute("data-slug", m.slug);
        var name = document.createElement("strong");
        name.textContent = m.name;
        li.appendChild(name);
        li.appendChild(document.createTextNode(
          (m.vendor ? " (" + m.vendor + ")" : "") + " — " + m.notice));
        list.appendChild(li);
      });
      box.appendChild(list);
    }

    function look() {
      var mine = ++seq;
      var query = "?name=" + encodeURIComponent(input.value) +
        (website ? "&website=" + encodeURIComponent(website.value) : "");
      fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { matches: [] }; })
        .then(function (data) { if (mine === seq) { show(data.matches || []); } })
        .catch(function () { /* a hint only: the server checks on submit */ });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(look, 200);
    }

    input.addEventListener("input", later);
    if (website) { website.addEventListener("change", later); }
    if (input.value) { look(); }
  }

  document.querySelectorAll("input[data-request-matches]").forEach(setup);
})();
