// The Strata dashboard: reads the agent's /api/status and /api/history and draws them.
// Plain DOM and SVG, no framework, nothing loaded from elsewhere.
(function () {
  "use strict";
  var token = new URLSearchParams(location.search).get("token");
  function api(path) {
    var url = path + (token ? (path.indexOf("?") < 0 ? "?" : "&") + "token=" + encodeURIComponent(token) : "");
    return fetch(url, { cache: "no-store" }).then(function (r) {
      if (!r.ok && r.status !== 503) { throw new Error(path + ": HTTP " + r.status); }
      return r.json();
    });
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function bytes(n) {
    if (n === null || n === undefined) { return "-"; }
    var u = ["B", "kB", "MB", "GB", "TB"], i = 0;
    while (Math.abs(n) >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + " " + u[i];
  }
  function fmt(v, unit) {
    if (v === null || v === undefined || isNaN(v)) { return "-"; }
    if (unit === "bytes") { return bytes(v); }
    if (unit === "ratio") { return (v * 100).toFixed(1) + " %"; }
    if (unit === "seconds") { return v.toFixed(2) + " s"; }
    if (unit === "per_s") { return v.toFixed(1) + "/s"; }
    return Math.round(v * 10) / 10;
  }
  function when(iso) { return iso ? new Date(iso).toLocaleString() : "-"; }
  function na(box, reason) { box.replaceChildren(el("p", { "class": "na" }, "not available: " + reason)); }
  function table(box, head, rows) {
    var t = el("table"), tr = el("tr");
    head.forEach(function (h) { tr.appendChild(el("th", {}, h)); });
    t.appendChild(el("thead")).appendChild(tr);
    var body = t.appendChild(el("tbody"));
    rows.forEach(function (r) {
      var row = body.appendChild(el("tr"));
      r.forEach(function (c) {
        var num = typeof c === "number";
        row.appendChild(el("td", num ? { "class": "num" } : {}, c));
      });
    });
    box.replaceChildren(t);
    return t;
  }
  function section(id, data, draw) {
    var box = document.querySelector("#" + id + " .body");
    if (!data || !data.available) { na(box, data ? data.reason : "the agent did not say"); return; }
    draw(box, data);
  }

  function health(s) {
    document.getElementById("project").textContent = s.project;
    document.getElementById("agent").textContent =
      "agent pid " + s.agent.pid + ", up " + Math.round(s.agent.uptime_seconds / 60) + " min";
    var body = document.querySelector("#health tbody");
    body.replaceChildren();
    s.instances.forEach(function (i) {
      var row = body.appendChild(el("tr", { "data-instance": i.id, "data-up": i.up }));
      row.appendChild(el("td", {}, i.id));
      row.appendChild(el("td", {}, i.kind));
      row.appendChild(el("td", {}, i.endpoint));
      row.appendChild(el("td", { "class": i.up ? "up" : "down" }, i.up ? "running" : (i.failures ? "down, restart failing: " + i.last_error : "down")));
      row.appendChild(el("td", { "class": "num" }, i.pid === null ? "-" : i.pid));
      row.appendChild(el("td", { "class": "num" }, i.restarts));
      row.appendChild(el("td", {}, i.last_restart ? when(i.last_restart) + " (" + i.last_reason + ")" : "-"));
    });
    section("alerts", s.alerts, function (box, a) {
      if (!a.firing.length) { box.replaceChildren(el("p", { "class": "up" }, "none firing")); return; }
      table(box, ["alert", "severity", "summary", "since"], a.firing.map(function (f) {
        return [f.name, f.severity, f.summary, when(f.since)];
      }));
    });
    section("slow", s.slow_queries, function (box, q) {
      if (!q.rows.length) { box.replaceChildren(el("p", {}, "no statements recorded yet")); return; }
      table(box, ["query", "calls", "mean ms", "total ms"], q.rows.map(function (r) {
        return [r.query, r.calls, r.mean_ms, r.total_ms];
      }));
    });
    section("sizes", s.sizes, function (box, z) {
      table(box, ["database", "size"], z.databases.map(function (d) { return [d.name, bytes(d.bytes)]; }));
      var t = el("div");
      if (z.tables.length) {
        table(t, ["table", "table size", "index size"], z.tables.map(function (r) {
          return [r.name, bytes(r.table_bytes), bytes(r.index_bytes)];
        }));
      } else { t.appendChild(el("p", { "class": "na" }, "no tables in the first database yet")); }
      box.appendChild(t);
    });
    section("backups", s.backups, function (box, b) {
      if (!b.sets.length) { box.replaceChildren(el("p", { "class": "na" }, "no backup taken yet")); }
      else {
        table(box, ["backup", "type", "ended", "in repository"], b.sets.slice(-8).reverse().map(function (x) {
          return [x.label, x.type, when(x.stop), bytes(x.repository_bytes)];
        }));
      }
      var d = el("div");
      if (b.drills.length) {
        table(d, ["drill", "result", "RTO"], b.drills.slice(-5).reverse().map(function (x) {
          return [when(x.at), x.ok ? "ok" : "FAILED", (x.rto_ms / 1000).toFixed(1) + " s"];
        }));
      } else { d.appendChild(el("p", { "class": "na" }, "no drill run yet")); }
      box.appendChild(d);
    });
    var jobs = document.querySelector("#jobs .body");
    if (!s.jobs.length) { na(jobs, "no schedule in strata.yaml (backup.schedule)"); }
    else {
      table(jobs, ["job", "cron", "next run", "last run"], s.jobs.map(function (j) {
        var l = j.last_run;
        return [j.job + (j.maintenance ? " (window " + s.agent.maintenance_window + ")" : ""), j.cron,
          when(j.next_run), l ? (l.ok ? "ok" : "FAILED: " + l.message) + ", " + when(l.start) : "-"];
      }));
    }
    section("findings", s.findings, function (box, f) {
      table(box, ["figure", "labels", "value"], f.metrics.map(function (m) {
        return [m.name, Object.keys(m.labels).map(function (k) { return k + "=" + m.labels[k]; }).join(" "), m.value];
      }));
    });
    document.body.setAttribute("data-status", "loaded");
  }

  function chart(c) {
    var box = el("div", { "class": "chart", "data-chart": c.id, "data-points": c.points.length });
    var last = c.points.length ? c.points[c.points.length - 1][1] : null;
    var h = box.appendChild(el("h3", {}, c.title));
    h.appendChild(el("span", {}, fmt(last, c.unit)));
    var ns = "http://www.w3.org/2000/svg", w = 300, hh = 90;
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + w + " " + hh);
    svg.setAttribute("preserveAspectRatio", "none");
    if (c.points.length < 2) {
      var t = document.createElementNS(ns, "text");
      t.setAttribute("x", 8); t.setAttribute("y", 50); t.setAttribute("class", "empty");
      t.textContent = c.points.length ? "one sample so far" : "no data yet";
      svg.appendChild(t);
    } else {
      var xs = c.points.map(function (p) { return p[0]; }), ys = c.points.map(function (p) { return p[1]; });
      var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
      var y0 = Math.min(0, Math.min.apply(null, ys)), y1 = Math.max.apply(null, ys);
      if (c.unit === "ratio") { y1 = Math.max(y1, 1); }
      if (y1 === y0) { y1 = y0 + 1; }
      var pts = c.points.map(function (p) {
        return ((p[0] - x0) / Math.max(1, x1 - x0) * w).toFixed(1) + "," +
          (hh - 4 - (p[1] - y0) / (y1 - y0) * (hh - 8)).toFixed(1);
      }).join(" ");
      var line = document.createElementNS(ns, "polyline");
      line.setAttribute("points", pts);
      svg.appendChild(line);
    }
    box.appendChild(svg);
    return box;
  }

  function charts(hs) {
    document.getElementById("source").textContent = "(from " + hs.source + ")";
    var grid = document.querySelector("#charts .grid");
    grid.replaceChildren.apply(grid, hs.charts.map(chart));
    var withData = hs.charts.filter(function (c) { return c.points.length > 0; }).length;
    document.body.setAttribute("data-charts", withData > 0 ? "loaded" : "empty");
    document.body.setAttribute("data-charts-with-data", withData);
    document.body.setAttribute("data-chart-source", hs.source);
  }

  function refresh() {
    var hours = document.getElementById("hours").value;
    api("api/status").then(health).catch(function (e) {
      document.body.setAttribute("data-status", "error: " + e.message);
    });
    api("api/history?hours=" + hours).then(charts).catch(function (e) {
      document.body.setAttribute("data-charts", "error: " + e.message);
    });
  }
  document.getElementById("hours").addEventListener("change", refresh);
  refresh();
  setInterval(refresh, 15000);
})();
