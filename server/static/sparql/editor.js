// The query page's small editor: examples, run (POST, SPARQL JSON or Turtle), a result table that is paged
// and sortable, a bar chart for a two-column numeric result, a permalink, downloads (issue 14).
// Plain JS, no dependencies, so the page works without internet access.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var textarea = document.getElementById("query");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var chart = document.getElementById("chart");
  var downloads = document.getElementById("downloads");
  var permalink = document.getElementById("permalink");
  var examples = JSON.parse(document.getElementById("sparql-examples").textContent);
  var prologue = JSON.parse(document.getElementById("sparql-prologue").textContent);
  var autorun = JSON.parse(document.getElementById("sparql-autorun").textContent);
  var endpoint = form.getAttribute("action");
  var PAGE_SIZE = 100, MAX_BARS = 60;
  var NUMERIC = /#(integer|decimal|double|float|long|int|short|nonNegativeInteger|positiveInteger)$/;
  var FORMATS = {
    results: ["json", "xml", "csv", "tsv"],
    graph: ["turtle", "nt", "json-ld", "rdf+xml", "nquads", "trig"]
  };
  var table = null;  // {vars, rows, page, sortBy, descending}

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // The luzhi prefixes are declared for the user: each PREFIX line of the prologue the query does not
  // declare itself is added before sending (a query may redeclare a prefix its own way).
  function missingPrologue(query) {
    return prologue.split("\n").filter(function (line) {
      var m = line.match(/^PREFIX\s+([^:\s]*):/);
      return m && !new RegExp("PREFIX\\s+" + m[1] + ":", "i").test(query);
    });
  }

  function withPrologue(query) {
    var missing = missingPrologue(query);
    return missing.length ? missing.join("\n") + "\n" + query : query;
  }

  // The engine counts lines in what was sent, the added PREFIX lines first: an error "at 19:22" in a one-line
  // query is the user's 1:22 (cold review). Positions are written "at L:C" or "（L:C）" in the messages.
  function inUserLines(message, added) {
    if (!added) return message;
    return message.replace(/(\bat |（)(\d+):(\d+)/g, function (all, before, line, column) {
      var own = Number(line) - added;
      return own >= 1 ? before + own + ":" + column : all;
    });
  }

  function queryKind(text) {
    // Strip comments, strings and IRIs, skip the prologue: the first keyword is the form.
    var bare = text.replace(/#[^\n]*/g, " ").replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, " ")
      .replace(/<[^<>\s]*>/g, " ");
    var m = bare.replace(/\b(PREFIX|BASE)\b\s*[^\s]*\s*/gi, " ").match(/\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i);
    return m && /^(CONSTRUCT|DESCRIBE)$/i.test(m[1]) ? "graph" : "results";
  }

  function showLinks(query) {
    downloads.textContent = "";
    var full = withPrologue(query);
    FORMATS[queryKind(query)].forEach(function (name) {
      var a = el("a", name);
      a.href = endpoint + "?query=" + encodeURIComponent(full) + "&format=" + encodeURIComponent(name);
      a.setAttribute("download", "");
      downloads.appendChild(a);
    });
    // The permalink carries the query as typed; opened in a browser it reopens this page and runs it.
    permalink.href = endpoint + "?query=" + encodeURIComponent(query);
    if (window.history && history.replaceState) history.replaceState(null, "", permalink.href);
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

  function isNumber(term) {
    return !!term && term.type !== "uri" && NUMERIC.test(term.datatype || "") && !isNaN(parseFloat(term.value));
  }

  function compare(a, b) {
    if (!a || !b) return a ? -1 : b ? 1 : 0;
    if (isNumber(a) && isNumber(b)) return parseFloat(a.value) - parseFloat(b.value);
    return a.value.localeCompare(b.value, "zh-Hans-CN");
  }

  function drawTable() {
    var old = results.querySelector(".result-view");
    if (old) results.removeChild(old);
    var view = el("div", null, "result-view");
    var rows = table.rows.slice();
    if (table.sortBy !== null) {
      rows.sort(function (x, y) {
        var order = compare(x[table.sortBy], y[table.sortBy]);
        return table.descending ? -order : order;
      });
    }
    drawChart(table.vars, rows);  // the bars follow the table's order
    var pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    table.page = Math.min(Math.max(1, table.page), pages);
    var grid = el("table", null, "results"), head = el("tr");
    table.vars.forEach(function (v) {
      var th = el("th"), button = el("button", "?" + v, "sort");
      button.type = "button";
      var sorted = table.sortBy === v;
      th.setAttribute("aria-sort", sorted ? (table.descending ? "descending" : "ascending") : "none");
      if (sorted) button.appendChild(document.createTextNode(table.descending ? " ▼" : " ▲"));
      button.addEventListener("click", function () {
        table.descending = sorted ? !table.descending : false;
        table.sortBy = v;
        table.page = 1;
        drawTable();
      });
      th.appendChild(button);
      head.appendChild(th);
    });
    grid.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    rows.slice((table.page - 1) * PAGE_SIZE, table.page * PAGE_SIZE).forEach(function (row) {
      var tr = el("tr");
      table.vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
      body.appendChild(tr);
    });
    grid.appendChild(body);
    view.appendChild(grid);
    if (pages > 1) {
      var pager = el("nav", null, "pager");
      var prev = el("button", "‹ 上一页 previous"), next = el("button", "下一页 next ›");
      prev.type = next.type = "button";
      prev.className = "previous"; next.className = "next";
      prev.disabled = table.page === 1; next.disabled = table.page === pages;
      prev.addEventListener("click", function () { table.page -= 1; drawTable(); });
      next.addEventListener("click", function () { table.page += 1; drawTable(); });
      pager.appendChild(prev);
      pager.appendChild(el("span", table.page + " / " + pages, "page-number"));
      pager.appendChild(next);
      view.appendChild(pager);
    }
    results.appendChild(view);
  }

  // A two-column result whose second column is numeric in every row draws as horizontal bars.
  function drawChart(vars, rows) {
    chart.textContent = "";
    chart.hidden = true;
    if (vars.length !== 2 || rows.length === 0 || rows.length > MAX_BARS) return;
    if (!rows.every(function (r) { return isNumber(r[vars[1]]); })) return;
    var values = rows.map(function (r) { return parseFloat(r[vars[1]].value); });
    var largest = Math.max.apply(null, values.map(Math.abs)) || 1;
    var row = 24, labelWidth = 200, plot = 440, height = rows.length * row + 8;
    var picture = svg("svg", { viewBox: "0 0 " + (labelWidth + plot + 60) + " " + height, role: "img",
      width: labelWidth + plot + 60, height: height, "class": "bars", "font-size": "13" });
    picture.appendChild(svg("title", {}, "?" + vars[1] + " / ?" + vars[0]));
    rows.forEach(function (r, i) {
      var term = r[vars[0]], label = term ? term.value : "—";
      if (term && term.type === "uri") label = label.replace(/^.*[#\/]/, "");
      if (label.length > 14) label = label.slice(0, 13) + "…";
      var y = i * row + 4, w = plot * Math.abs(values[i]) / largest;
      picture.appendChild(svg("text", { x: labelWidth - 6, y: y + 14, "text-anchor": "end" }, label));
      var bar = svg("rect", { x: labelWidth, y: y + 2, width: w.toFixed(1), height: 16, fill: "#2f6db3" });
      bar.appendChild(svg("title", {}, (term ? term.value : "—") + ": " + r[vars[1]].value));
      picture.appendChild(bar);
      picture.appendChild(svg("text", { x: (labelWidth + w + 4).toFixed(1), y: y + 15, fill: "#666" }, r[vars[1]].value));
    });
    chart.appendChild(picture);
    chart.hidden = false;
  }

  function renderJson(data) {
    if (typeof data.boolean === "boolean") {
      results.appendChild(el("p", "ASK → " + data.boolean, "boolean"));
      return 1;
    }
    table = { vars: data.head.vars, rows: data.results.bindings, page: 1, sortBy: null, descending: false };
    drawTable();
    return table.rows.length;
  }

  function run() {
    var query = textarea.value;
    var started = performance.now();
    results.textContent = "";
    chart.textContent = "";
    chart.hidden = true;
    status.textContent = "执行中… running…";
    showLinks(query);
    fetch(endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9"
      },
      body: new URLSearchParams({ query: withPrologue(query) })
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      return response.text().then(function (text) {
        var ms = Math.round(performance.now() - started);
        if (!response.ok) {
          status.textContent = "HTTP " + response.status + " (" + ms + " ms)";
          results.appendChild(el("div", inUserLines(text, missingPrologue(query).length), "error"));
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
      textarea.value = example.query;
      run();
    });
  });
  if (autorun) run();
})();
