// The query page's small editor: examples, run (POST, SPARQL JSON or Turtle), result table, downloads.
// Written in plain JS, no dependencies, so the page works without internet access.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var textarea = document.getElementById("query");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var downloads = document.getElementById("downloads");
  var examples = JSON.parse(document.getElementById("sparql-examples").textContent);
  var prologue = JSON.parse(document.getElementById("sparql-prologue").textContent);
  var endpoint = form.getAttribute("action");
  var FORMATS = {
    results: ["json", "xml", "csv", "tsv"],
    graph: ["turtle", "nt", "json-ld", "rdf+xml", "nquads", "trig"]
  };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function queryKind(text) {
    // Strip comments, strings and IRIs, skip the prologue: the first keyword is the form.
    var bare = text.replace(/#[^\n]*/g, " ").replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, " ")
      .replace(/<[^<>\s]*>/g, " ");
    var m = bare.replace(/\b(PREFIX|BASE)\b\s*[^\s]*\s*/gi, " ").match(/\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i);
    return m && /^(CONSTRUCT|DESCRIBE)$/i.test(m[1]) ? "graph" : "results";
  }

  function showDownloads(query) {
    downloads.textContent = "";
    FORMATS[queryKind(query)].forEach(function (name) {
      var a = el("a", name);
      a.href = endpoint + "?query=" + encodeURIComponent(query) + "&format=" + encodeURIComponent(name);
      a.setAttribute("download", "");
      downloads.appendChild(a);
    });
  }

  function cell(term) {
    var td = el("td");
    if (!term) return td;
    if (term.type === "uri" && /^https?:\/\//i.test(term.value)) {
      // Only web IRIs become links: a javascript: or data: IRI in the data stays text (issue 10).
      var a = el("a", term.value);
      a.href = term.value;
      td.appendChild(a);
    } else if (term.type === "uri") {
      td.appendChild(document.createTextNode(term.value));
    } else {
      td.appendChild(document.createTextNode(term.type === "bnode" ? "_:" + term.value : term.value));
      var meta = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? "^^" + term.datatype.replace(/^.*[#\/]/, "xsd:") : "";
      if (meta) td.appendChild(el("span", " " + meta, "meta"));
    }
    return td;
  }

  function renderJson(data) {
    if (typeof data.boolean === "boolean") {
      results.appendChild(el("p", "ASK → " + data.boolean, "boolean"));
      return 1;
    }
    var vars = data.head.vars, rows = data.results.bindings;
    var table = el("table", null, "results"), head = el("tr");
    vars.forEach(function (v) { head.appendChild(el("th", "?" + v)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    rows.forEach(function (row) {
      var tr = el("tr");
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    results.appendChild(table);
    return rows.length;
  }

  function run() {
    var query = textarea.value;
    var started = performance.now();
    results.textContent = "";
    status.textContent = "执行中… running…";
    showDownloads(query);
    fetch(endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9"
      },
      body: new URLSearchParams({ query: query })
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      return response.text().then(function (text) {
        var ms = Math.round(performance.now() - started);
        if (!response.ok) {
          status.textContent = "HTTP " + response.status + " (" + ms + " ms)";
          results.appendChild(el("div", text, "error"));
          return;
        }
        var count;
        if (type.indexOf("json") >= 0) {
          count = renderJson(JSON.parse(text));
        } else {
          results.appendChild(el("pre", text, "graph"));
          count = response.headers.get("X-Result-Rows");
        }
        status.textContent = count + " 行 rows · " + ms + " ms";
      });
    }).catch(function (error) {
      status.textContent = "";
      results.appendChild(el("div", String(error), "error"));
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("button.example"), function (button) {
    button.addEventListener("click", function () {
      var example = examples.filter(function (e) { return e.key === button.dataset.key; })[0];
      textarea.value = prologue + "\n" + example.query;
      run();
    });
  });
})();
