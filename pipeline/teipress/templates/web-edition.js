/* teipress web edition: filters of the index, the search page (Pagefind) and the copy button.
   Everything works without this script (the index is the full sorted list); the script only adds.
   Text from the data is always set with textContent, never parsed as HTML. */
(function () {
  "use strict";

  var page = document.body.getAttribute("data-page");
  var ROW_LIMIT = 500;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* ---------------------------------------------------------------- copy */

  function initCopy() {
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      var status = document.querySelector(".copy-status");
      if (!source) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = source.textContent.trim();
        function done() { if (status) status.textContent = "Citation copied."; }
        function fallback() {
          var range = document.createRange();
          range.selectNodeContents(source);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          if (status) status.textContent = "Citation selected: press Ctrl+C (or \u2318C) to copy.";
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, fallback);
        } else {
          fallback();
        }
      });
    });
  }

  /* ------------------------------------------------------------- filters */

  var FACETS = ["type", "sender", "recipient", "year", "archive"];

  function rowValues(row, fields, facet) {
    var get = function (name) { return row[fields.indexOf(name)]; };
    if (facet === "sender") return get("senders");
    if (facet === "recipient") return get("recipients");
    if (facet === "type") return get("type") ? [get("type")] : [];
    if (facet === "year") return [get("year")];
    if (facet === "archive") return get("archive") ? [get("archive")] : [];
    return [];
  }

  function initFilters() {
    var catalogue = window.teipressCatalogue;
    var form = document.getElementById("filters");
    var table = document.getElementById("doc-list");
    var status = document.getElementById("filter-status");
    if (!catalogue || !form || !table) return;
    var fields = catalogue.fields;
    var rows = catalogue.rows;
    var tbody = table.tBodies[0];
    var original = tbody.cloneNode(true);
    var hideWhileFiltering = document.querySelectorAll(".pager, .years");
    var typeLabels = {};
    rows.forEach(function (row) { typeLabels[row[fields.indexOf("type")]] = row[fields.indexOf("typeLabel")]; });

    FACETS.forEach(function (facet) {
      var select = document.getElementById("f-" + facet);
      var counts = {};
      rows.forEach(function (row) {
        rowValues(row, fields, facet).forEach(function (value) {
          if (value) counts[value] = (counts[value] || 0) + 1;
        });
      });
      var values = Object.keys(counts);
      if (facet === "year") {
        values.sort(function (a, b) { return a === "undated" ? 1 : b === "undated" ? -1 : a < b ? -1 : a > b ? 1 : 0; });
      } else {
        values.sort(function (a, b) { return a.localeCompare(b); });
      }
      values.forEach(function (value) {
        var label = facet === "type" ? (typeLabels[value] || value) : facet === "year" && value === "undated" ? "Undated" : value;
        var option = el("option", null, label + " (" + counts[value] + ")");
        option.value = value;
        select.appendChild(option);
      });
    });

    function chosen() {
      var out = {};
      FACETS.forEach(function (facet) {
        var value = document.getElementById("f-" + facet).value;
        if (value) out[facet] = value;
      });
      return out;
    }

    function link(text, href) {
      var a = el("a", null, text);
      a.href = href;
      return a;
    }

    function makeRow(row) {
      var get = function (name) { return row[fields.indexOf(name)]; };
      var tr = el("tr");
      var date = el("td", "c-date");
      var iso = get("iso");
      var time = el(iso ? "time" : "span", null, get("date"));
      if (iso) time.setAttribute("datetime", iso);
      date.appendChild(time);
      var title = el("td", "c-title");
      title.appendChild(link(get("title"), get("id") + ".html"));
      var corr = el("td", "c-corr");
      if (get("senders").length || get("recipients").length) {
        corr.appendChild(el("span", "from", get("senders").join(", ") || "Unknown"));
        corr.appendChild(document.createTextNode(" "));
        var arrow = el("span", "arrow", "\u2192");
        arrow.setAttribute("aria-hidden", "true");
        corr.appendChild(arrow);
        corr.appendChild(el("span", "visually-hidden", " to "));
        corr.appendChild(document.createTextNode(" "));
        corr.appendChild(el("span", "to", get("recipients").join(", ") || "Unknown"));
      }
      tr.appendChild(date);
      tr.appendChild(title);
      tr.appendChild(corr);
      tr.appendChild(el("td", "c-type", get("typeLabel")));
      tr.appendChild(el("td", "c-archive", get("archive")));
      return tr;
    }

    function apply(limit) {
      var want = chosen();
      var active = Object.keys(want);
      var query = new URLSearchParams();
      active.forEach(function (facet) { query.set(facet, want[facet]); });
      var search = query.toString();
      history.replaceState(null, "", search ? "?" + search : location.pathname);
      Array.prototype.forEach.call(hideWhileFiltering, function (node) { node.hidden = active.length > 0; });
      if (!active.length) {
        tbody.replaceWith(original.cloneNode(true));
        tbody = table.tBodies[0];
        status.textContent = "";
        return;
      }
      var matches = rows.filter(function (row) {
        return active.every(function (facet) { return rowValues(row, fields, facet).indexOf(want[facet]) !== -1; });
      });
      var shown = Math.min(matches.length, limit || ROW_LIMIT);
      var body = document.createElement("tbody");
      for (var i = 0; i < shown; i++) body.appendChild(makeRow(matches[i]));
      if (shown < matches.length) {
        var more = el("tr", "more-row");
        var cell = el("td");
        cell.colSpan = 5;
        var button = el("button", "button", "Show all " + matches.length + " documents");
        button.type = "button";
        button.addEventListener("click", function () { apply(matches.length); });
        cell.appendChild(button);
        more.appendChild(cell);
        body.appendChild(more);
      }
      tbody.replaceWith(body);
      tbody = body;
      status.textContent = matches.length === 1 ? "1 document matches." :
        matches.length + " documents match" + (shown < matches.length ? " (showing the first " + shown + ")." : ".");
    }

    var params = new URLSearchParams(location.search);
    FACETS.forEach(function (facet) {
      var select = document.getElementById("f-" + facet);
      var wanted = params.get(facet);
      if (wanted && Array.prototype.some.call(select.options, function (o) { return o.value === wanted; })) {
        select.value = wanted;
      }
      select.addEventListener("change", function () { apply(); });
    });
    form.addEventListener("reset", function () { setTimeout(function () { apply(); }, 0); });
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    form.hidden = false;
    if (Object.keys(chosen()).length) apply();
  }

  /* -------------------------------------------------------------- search */

  function appendExcerpt(target, html) {
    // Pagefind's excerpt is HTML with <mark>; parse it inertly and keep only text and marks.
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var source = doc.body.firstChild;
    Array.prototype.forEach.call(source ? source.childNodes : [], function (node) {
      if (node.nodeName === "MARK") {
        target.appendChild(el("mark", null, node.textContent));
      } else {
        target.appendChild(document.createTextNode(node.textContent));
      }
    });
  }

  function initSearch() {
    var form = document.getElementById("search-form");
    var input = document.getElementById("q");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var moreButton = document.getElementById("search-more");
    if (!form || !input) return;
    var root = new URL(".", document.baseURI);
    var pagefind = null;
    var current = null;
    var shown = 0;
    var generation = 0;
    var timer = null;

    function showMore() {
      var batch = current.results.slice(shown, shown + 20);
      shown += batch.length;
      moreButton.hidden = shown >= current.results.length;
      var mine = generation;
      return Promise.all(batch.map(function (result) { return result.data(); })).then(function (items) {
        if (mine !== generation) return;
        items.forEach(function (data) {
          var li = el("li");
          var heading = el("h2");
          var a = el("a", null, (data.meta && data.meta.title) || data.url);
          a.href = data.url;
          heading.appendChild(a);
          li.appendChild(heading);
          var meta = [];
          if (data.meta && data.meta.type) meta.push(data.meta.type);
          if (data.meta && data.meta.date) meta.push(data.meta.date);
          if (meta.length) li.appendChild(el("p", "meta", meta.join(" \u00b7 ")));
          var excerpt = el("p", "excerpt");
          appendExcerpt(excerpt, data.excerpt || "");
          li.appendChild(excerpt);
          list.appendChild(li);
        });
      });
    }

    function run() {
      clearTimeout(timer);  // (typed, then Enter: one search, not a second one that clears the first's results)
      var query = input.value.trim();
      history.replaceState(null, "", query ? "?" + new URLSearchParams({ q: query }).toString() : location.pathname);
      generation += 1;
      var mine = generation;
      list.textContent = "";
      moreButton.hidden = true;
      if (!query) {
        status.textContent = "";
        return;
      }
      if (!pagefind) return;
      status.textContent = "Searching\u2026";
      pagefind.search(query).then(function (found) {
        if (mine !== generation) return;
        current = found;
        shown = 0;
        var n = found.results.length;
        status.textContent = n === 0 ? "No document matches \u201c" + query + "\u201d." :
          (n === 1 ? "1 document matches" : n + " documents match") + " \u201c" + query + "\u201d.";
        return showMore();
      });
    }

    form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 250);
    });
    moreButton.addEventListener("click", function () { showMore(); });

    input.value = new URLSearchParams(location.search).get("q") || "";

    // the index sits beside this page, wherever the site is published (no absolute path)
    import(new URL("pagefind/pagefind.js", root).href).then(function (module) {
      pagefind = module;
      return pagefind.options({ baseUrl: root.pathname });
    }).then(function () {
      run();
    }).catch(function () {
      status.textContent = "The search index is missing: build it with \u2018teipress render web\u2019. " +
        "Meanwhile, browse the list of documents.";
    });
  }

  initCopy();
  if (page === "index") initFilters();
  if (page === "search") initSearch();
})();
