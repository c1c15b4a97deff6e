/* The search page's results: found in the site's own index (Pagefind's, made by the build),
   in the reader's browser; nothing is sent anywhere. Loaded by the search page only.
   Without this script the page says how else to find a post; from a copy opened from disk,
   where a browser does not let a page load the index, it says so. */
(function () {
  "use strict";
  var box = document.getElementById("search-results");
  var elsewhere = document.getElementById("search-elsewhere");
  var input = document.getElementById("search-query");
  if (!box || !elsewhere || !input) { return; }
  var say = function (id) {
    var notes = elsewhere.querySelectorAll("p[id]");
    for (var i = 0; i < notes.length; i++) { notes[i].hidden = notes[i].id !== id; }
    elsewhere.hidden = !id;
  };
  if (location.protocol === "file:") { say("search-from-disk"); return; }

  var status = document.getElementById("search-status");
  var list = box.querySelector(".search-list");
  var data = box.dataset;
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(data.lang) : null;
  var PAGE = 10;
  var loaded = null;
  var asked = 0;  /* the number of the last search: an older one's results are dropped */
  var more = null;

  var load = function () {
    if (!loaded) {
      loaded = import(new URL(data.bundle, location.href).href).then(function (pagefind) {
        return pagefind.options({ baseUrl: "/", excerptLength: 30 }).then(function () { return pagefind; });
      });
    }
    return loaded;
  };
  var resultsText = function (count) {
    var form = plural ? plural.select(count) : (count === 1 ? "one" : "other");
    var text = data["results" + form.charAt(0).toUpperCase() + form.slice(1)] || data.resultsOther;
    return text.replace("%s", count.toLocaleString(data.lang));
  };
  var address = function (url) {
    /* A result's address, relative to this page, so that it works under any path. */
    var path = url.replace(/^\//, "");
    var file = data.indexFile && /(^|\/)$/.test(path.split("#")[0]) ? data.indexFile : "";
    var parts = path.split("#");
    return data.root + parts[0] + file + (parts.length > 1 ? "#" + parts.slice(1).join("#") : "");
  };
  var excerpt = function (text, into) {
    /* Pagefind's excerpt is text with <mark> around the words found, and < and > escaped. */
    var pieces = text.split(/(<mark>|<\/mark>)/);
    var marked = false;
    for (var i = 0; i < pieces.length; i++) {
      if (pieces[i] === "<mark>") { marked = true; continue; }
      if (pieces[i] === "</mark>") { marked = false; continue; }
      var words = document.createTextNode(pieces[i].replace(/&lt;/g, "<").replace(/&gt;/g, ">"));
      if (marked) {
        var mark = document.createElement("mark");
        mark.appendChild(words);
        into.appendChild(mark);
      } else {
        into.appendChild(words);
      }
    }
  };
  var entry = function (result) {
    var item = document.createElement("li");
    item.className = "search-result";
    var heading = document.createElement("h2");
    heading.className = "entry-title";
    var link = document.createElement("a");
    link.href = address(result.url);
    link.textContent = result.meta.title || result.url;
    heading.appendChild(link);
    item.appendChild(heading);
    if (result.meta.date) {
      var date = document.createElement("p");
      date.className = "entry-meta";
      date.textContent = result.meta.date;
      item.appendChild(date);
    }
    var text = document.createElement("p");
    text.className = "search-excerpt";
    excerpt(result.excerpt || "", text);
    item.appendChild(text);
    return item;
  };
  var show = function (results, from, number) {
    var shown = results.slice(from, from + PAGE);
    return Promise.all(shown.map(function (r) { return r.data(); })).then(function (found) {
      if (number !== asked) { return; }
      for (var i = 0; i < found.length; i++) { list.appendChild(entry(found[i])); }
      if (more) { more.remove(); more = null; }
      if (from + PAGE < results.length) {
        more = document.createElement("button");
        more.type = "button";
        more.className = "search-more";
        more.textContent = data.more;
        more.addEventListener("click", function () {
          var next = list.children.length;
          show(results, from + PAGE, number).then(function () {
            var first = list.children[next];
            if (first) { first.querySelector("a").focus(); }
          });
        });
        box.appendChild(more);
      }
    });
  };
  var search = function (query) {
    var number = ++asked;
    list.textContent = "";
    if (more) { more.remove(); more = null; }
    if (!query.trim()) { status.textContent = ""; return; }
    status.textContent = data.searching;
    load().then(function (pagefind) {
      return pagefind.search(query);
    }).then(function (found) {
      if (number !== asked) { return; }
      var results = found.results;
      return show(results, 0, number).then(function () {
        if (number !== asked) { return; }
        /* Told once the results are there, for a screen reader to say. */
        status.textContent = results.length ? resultsText(results.length) : data.none.replace("%s", query);
      });
    }).catch(function () {
      if (number !== asked) { return; }
      status.textContent = "";
      say("search-failed");
    });
  };

  say("");
  var query = new URLSearchParams(location.search).get("q") || "";
  input.value = query;
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var shown = new URL(location.href);
    shown.searchParams.set("q", input.value);
    history.replaceState(null, "", shown.href);
    search(input.value);
  });
  var waiting = null;
  input.addEventListener("input", function () {
    clearTimeout(waiting);
    waiting = setTimeout(function () { search(input.value); }, 250);
  });
  if (query) { search(query); } else { load(); }
})();
