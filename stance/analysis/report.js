/* The script of `stance report` (stance/analysis/html_report.py inlines it into the page).
   It draws the page from the JSON in #stance-data and parses an article's own JSON element
   (#a<N>) only when that article or one of its quotes is shown. The state (filters, sort,
   selection, pages) lives in the URL's fragment, so every view is a link. */
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("stance-data").textContent);
  const ST = D.stances; // critical, supportive, neutral, unclassified
  const ROLE = ["content", "cue", "source", "mention"];
  const SP = D.speakers;
  const OR = D.organizations;
  const spName = (i) => (SP[i] === null ? "(unknown speaker)" : SP[i]);
  const groupName = (v) => (v === null ? "(none)" : v);
  const PAGE = { quotes: 20, orgs: 6, speakers: 25, articles: 10 };

  function h(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const k of kids.flat(Infinity)) {
      if (k !== null && k !== undefined && k !== false) e.append(k.nodeType ? k : String(k));
    }
    return e;
  }

  // ------------------------------------------------------------------ data
  const cache = new Map();
  function doc(i) {
    let d = cache.get(i);
    if (!d) {
      d = JSON.parse(document.getElementById("a" + i).textContent);
      if (cache.size > 300) cache.delete(cache.keys().next().value);
      cache.set(i, d);
    }
    return d;
  }
  const sum4 = (n) => n[0] + n[1] + n[2] + n[3];
  function balance(n) {
    const k = n[0] + n[1] + n[2];
    return k ? (n[1] - n[0]) / k : null;
  }
  function cellOf(r, at) {
    const n = r.slice(at, at + 4);
    return { sp: r[at - 2], org: r[at - 1], n: n, quotes: sum4(n), articles: r[at + 4],
      balance: r[at + 5], means: r.slice(at + 6, at + 9) };
  }
  const ALL = D.cells.map((r) => cellOf(r, 2));
  const BY = D.breakdowns.map((b) => {
    const groups = new Map();
    for (const r of b.cells) {
      if (!groups.has(r[0])) groups.set(r[0], []);
      groups.get(r[0]).push(cellOf(r, 3));
    }
    return groups;
  });
  // For each breakdown, each article's group as an index into its values (-1: no pairs there).
  const ART_GROUP = D.breakdowns.map((b, bi) => {
    const at = new Map(b.values.map((v, i) => [v, i]));
    return Int32Array.from(D.articles, (a) => (at.has(a[4][bi]) ? at.get(a[4][bi]) : -1));
  });
  const PAIRS_OF = new Map(); // "speaker,organization" -> pair indices
  D.pairs.forEach((p, i) => {
    const key = p[3] + "," + p[4];
    if (!PAIRS_OF.has(key)) PAIRS_OF.set(key, []);
    PAIRS_OF.get(key).push(i);
  });

  // ------------------------------------------------------------------ state in the URL
  const DEFAULTS = { view: "", min: 1, fs: "", fo: "", rs: "quotes", cs: "quotes", rows: 30, cols: 15,
    ss: "", so: "", sb: "", sg: "", sk: "", qp: 1, op: 1, pp: 1, ap: 1, af: "", art: "", q: "" };
  let S = readState();
  function readState() {
    const p = new URLSearchParams(location.hash.slice(1));
    const s = {};
    for (const k in DEFAULTS) {
      const v = p.get(k);
      if (v === null) s[k] = DEFAULTS[k];
      else if (typeof DEFAULTS[k] === "number") s[k] = Math.max(1, parseInt(v, 10) || DEFAULTS[k]);
      else s[k] = v;
    }
    // A link from another report (or a hand-edited one) may name what this one lacks.
    const valid = (v, n) => v === "" || (/^\d+$/.test(v) && Number(v) < n);
    if (!valid(s.ss, SP.length)) s.ss = "";
    if (!valid(s.so, OR.length)) s.so = "";
    if (!valid(s.sk, ST.length)) s.sk = "";
    if (!valid(s.art, D.articles.length)) s.art = "";
    if (!valid(s.sb, D.breakdowns.length) || !valid(s.sg, s.sb === "" ? 0 : D.breakdowns[s.sb].values.length)) {
      s.sb = "";
      s.sg = "";
    }
    return s;
  }
  function link(changes) {
    const s = Object.assign({}, S, changes);
    const p = new URLSearchParams();
    for (const k in DEFAULTS) if (String(s[k]) !== String(DEFAULTS[k])) p.set(k, s[k]);
    return "#" + p.toString();
  }
  function go(changes) {
    history.replaceState(null, "", link(changes)); // typing in a box is not a history step
    update();
  }
  function view() {
    if (!S.view) return null;
    const [b, g] = S.view.split(".").map(Number);
    return D.breakdowns[b] && g < D.breakdowns[b].values.length ? { b: b, g: g } : null;
  }
  function viewCells() {
    const v = view();
    return v ? BY[v.b].get(v.g) || [] : ALL;
  }
  const viewLink = () => {
    const v = view();
    return v ? { sb: v.b, sg: v.g } : { sb: "", sg: "" };
  };

  // ------------------------------------------------------------------ small pieces
  function shade(n) {
    const k = n[0] + n[1] + n[2];
    if (!k) return "#f4f4f4";
    const b = (n[1] - n[0]) / k;
    const base = b < 0 ? [215, 48, 39] : b > 0 ? [26, 152, 80] : [123, 138, 156];
    const t = b === 0 ? 0.22 : 0.18 + 0.5 * Math.abs(b);
    return "rgb(" + base.map((c) => Math.round(255 + (c - 255) * t)).join(",") + ")";
  }
  function counts(n) {
    // Not classified at all (`stance extract` output): the count alone, not three zeros.
    if (!n[0] && !n[1] && !n[2]) return [h("span", { class: "n u" }, "+" + n[3])];
    const cls = ["n c", "n s", "n"];
    const out = [0, 1, 2].map((i) => h("span", { class: cls[i] + (n[i] ? "" : " z") }, n[i]));
    if (n[3]) out.push(h("span", { class: "n u" }, "+" + n[3]));
    return out;
  }
  function countText(n) {
    const parts = [n[0] + " critical", n[1] + " supportive", n[2] + " neutral"];
    if (n[3]) parts.push(n[3] + " not classified");
    return parts.join(", ");
  }
  function bar(n) {
    const q = sum4(n) || 1;
    return h("span", { class: "bar", title: countText(n) },
      n.map((x, i) => (x ? h("span", { class: "b" + i, style: "width:" + (100 * x) / q + "%" }) : null)));
  }
  const score = (s) => (s === null || s === undefined ? "" : " " + s.toFixed(2));
  function badge(st, s) {
    return h("span", { class: "st-badge st-" + ST[st] }, (st === 3 ? "not classified" : ST[st]) + score(s));
  }
  function pager(total, per, page, key) {
    const pages = Math.max(1, Math.ceil(total / per));
    const p = Math.min(page, pages);
    return { from: (p - 1) * per, to: Math.min(total, p * per), el: pages < 2 ? null : h("div", { class: "pager" },
      p > 1 ? h("a", { href: link({ [key]: p - 1 }) }, "‹ previous") : null,
      "page " + p + " of " + pages + " (" + total + ")",
      p < pages ? h("a", { href: link({ [key]: p + 1 }) }, "next ›") : null) };
  }
  // replaceChildren would write a missing piece (a pager of one page) as the text "null".
  const fill = (el, ...kids) => el.replaceChildren(...kids.flat().filter((k) => k !== null && k !== undefined));
  const num = (n) => n.toLocaleString("en");
  const matches = (name, find) => !find || name.toLowerCase().includes(find.toLowerCase());

  // The same hover texts as stance/analysis/highlight.py writes for a notebook.
  function quoteTitle(d, qi) {
    const q = d.q[qi];
    const parts = [(q[0] === null ? "unknown speaker" : q[0]) + " · " + q[1] + " quote " + (qi + 1)];
    for (const t of q[3]) parts.push(t[0] + ": " + (t[1] || "unclassified") + score(t[2]));
    return parts.join(" · ");
  }
  function mentionTitle(d, qi, ti) {
    const q = d.q[qi];
    const t = q[3][ti];
    return t[0] + ": " + (t[1] || "unclassified") + score(t[2]) + " (" + (q[0] === null ? "unknown speaker" : q[0]) + ")";
  }
  function marked(d, marks, text) {
    const classes = [];
    let mention = null;
    for (const [role, qi, ti] of marks) {
      const c = "hl-" + ROLE[role];
      if (!classes.includes(c)) classes.push(c);
      if (role === 3) {
        const s = "st-" + (d.q[qi][3][ti][1] || "unclassified");
        if (!classes.includes(s)) classes.push(s);
        if (!mention) mention = [qi, ti];
      }
    }
    const qi = mention ? mention[0] : marks[0][1];
    const title = mention ? mentionTitle(d, mention[0], mention[1]) : quoteTitle(d, qi);
    return h("span", { class: classes.join(" "), "data-q": qi, title: title }, text);
  }
  // The text [start, end) with its highlight segments; onlyQ keeps one quote's marks.
  function range(d, start, end, onlyQ) {
    const out = [];
    const seg = d.seg;
    let lo = 0;
    let hi = seg.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seg[mid][1] <= start) lo = mid + 1;
      else hi = mid;
    }
    let pos = start;
    for (let i = lo; i < seg.length && seg[i][0] < end; i++) {
      const g = seg[i];
      const a = Math.max(g[0], start);
      const b = Math.min(g[1], end);
      if (a > pos) out.push(d.text.slice(pos, a));
      const marks = [];
      for (let j = 2; j < g.length; j += 3) {
        if (onlyQ === undefined || g[j + 1] === onlyQ) marks.push([g[j], g[j + 1], g[j + 2]]);
      }
      out.push(marks.length ? marked(d, marks, d.text.slice(a, b)) : d.text.slice(a, b));
      pos = b;
    }
    if (pos < end) out.push(d.text.slice(pos, end));
    return out;
  }
  function snippet(ai, qi, limit) {
    const d = doc(ai);
    const out = [];
    let left = limit || 400;
    for (const [s, e] of d.q[qi][2]) {
      if (left <= 0) break;
      if (out.length) out.push(" … ");
      const end = Math.min(e, s + left);
      out.push(range(d, s, end, qi));
      if (end < e) out.push("…");
      left -= end - s;
    }
    return h("span", { class: "snippet" }, out);
  }
  function articlePage(ai) {
    return Math.floor(ai / PAGE.articles) + 1;
  }
  const quoteLink = (ai, qi) => link({ art: ai, q: qi, af: "", ap: articlePage(ai) });

  // ------------------------------------------------------------------ skeleton
  const app = document.getElementById("app");
  const C = D.counts;
  const sections = {};
  const section = (id, title, ...intro) => {
    const body = h("div", { class: "body" });
    const el = h("section", { id: id }, h("h2", null, title), intro, body);
    sections[id] = body;
    return el;
  };
  const input = (key, attrs) => h("input", Object.assign({ "data-key": key, oninput: (e) => {
    const v = e.target.type === "number" ? Math.max(1, parseInt(e.target.value, 10) || 1) : e.target.value;
    go({ [key]: v, qp: 1, op: 1, pp: 1 });
  } }, attrs));
  const sortOptions = (what) => [["quotes", "most quotes"], ["critical", "most critical quotes"],
    ["supportive", "most supportive quotes"], ["neutral", "most neutral quotes"],
    ["balance-", "balance: most critical first"], ["balance+", "balance: most supportive first"],
    ["name", "name"]].map(([v, t]) => h("option", { value: v }, what + ": " + t));
  const select = (key, options) => h("select", { "data-key": key,
    onchange: (e) => go({ [key]: e.target.value, qp: 1 }) }, options);
  const viewOptions = [h("option", { value: "" }, "all articles")];
  D.breakdowns.forEach((b, bi) => {
    viewOptions.push(h("optgroup", { label: b.by },
      b.values.map((v, gi) => h("option", { value: bi + "." + gi }, b.by + " = " + groupName(v)))));
  });
  const legend = h("div", { class: "legend" },
    h("span", null, h("span", { class: "swatch", style: "background:" + shade([3, 0, 0, 0]) }), "more critical"),
    h("span", null, h("span", { class: "swatch", style: "background:" + shade([0, 3, 0, 0]) }), "more supportive"),
    h("span", null, h("span", { class: "swatch", style: "background:" + shade([0, 0, 3, 0]) }), "balanced or neutral"),
    h("span", null, "each cell: quotes ", h("span", { class: "n c" }, "critical"), " ",
      h("span", { class: "n s" }, "supportive"), " ", h("span", { class: "n" }, "neutral"),
      " (+ not classified); click a cell for its quotes, a heading to sort by it"));
  app.append(
    h("header", { class: "top" }, h("h1", null, D.title), h("div", { class: "counts", id: "counts" },
      num(C.articles) + " articles · " + num(C.quotes) + " quotes · " + num(C.pairs) +
      " quote–organization pairs (" + num(C.untargeted) + " quotes name no organization) · " +
      num(SP.length) + " speakers · " + num(OR.length) + " organizations" +
      (D.pairs.length && D.pairs.every((p) => p[5] === 3) ? " · no stance classified yet (stance extract " +
        "output: `stance label` or `stance classify` adds them)" : ""))),
    h("nav", { class: "toc" }, [["map", "Stance map"], ["quotes", "Quotes"], ["organizations", "Organizations"],
      ["speakers", "Speakers"], ["breakdowns", "Breakdowns"], ["articles", "Articles"]]
      .filter(([id]) => id !== "breakdowns" || D.breakdowns.length)
      .map(([id, t]) => h("a", { href: "#", onclick: (e) => { e.preventDefault(); scrollTo(id); } }, t))),
    h("main", null,
      section("map", "Speaker × organization stance map",
        h("div", { class: "controls" },
          h("label", null, "in", select("view", viewOptions)),
          h("label", null, "at least", input("min", { type: "number", min: 1 }), "quotes per speaker and organization"),
          h("label", null, "speaker", input("fs", { type: "search", placeholder: "find…" })),
          h("label", null, "organization", input("fo", { type: "search", placeholder: "find…" })),
          h("label", null, select("rs", sortOptions("speakers"))),
          h("label", null, select("cs", sortOptions("organizations"))),
          h("a", { href: "#" }, "reset")),
        legend),
      section("quotes", "Quotes"),
      section("organizations", "Organizations: who criticises and who supports them"),
      section("speakers", "Speakers: their stances across organizations"),
      D.breakdowns.length ? section("breakdowns", "Breakdowns") : null,
      section("articles", "Articles", h("div", { class: "controls" },
        h("label", null, "article id", input("af", { type: "search", placeholder: "find…" })),
        h("span", { class: "legend" }, h("span", { class: "hl-content" }, "content"),
          h("span", { class: "hl-cue" }, "cue"), h("span", { class: "hl-source" }, "source"),
          "organization:", h("span", { class: "hl-mention st-critical" }, "critical"),
          h("span", { class: "hl-mention st-supportive" }, "supportive"),
          h("span", { class: "hl-mention st-neutral" }, "neutral"),
          h("span", { class: "hl-mention st-unclassified" }, "not classified"), "(hover for speaker and score)")))),
    h("footer", null, "Made by stance. Every count is of quotes: one quote of one speaker about one " +
      "organization. `stance summary` writes the same numbers as a table."));

  function scrollTo(id) {
    const el = document.getElementById(id);
    if (el) el.scrollIntoView({ block: "start" });
  }

  // ------------------------------------------------------------------ the map
  function sorter(key, totals, name, cross) {
    const tot = (k) => totals.get(k);
    let f;
    if (key === "name") return (a, b) => name(a).localeCompare(name(b));
    if (/^[os]\d+$/.test(key)) {
      const x = Number(key.slice(1));
      f = (k) => { const c = cross(k, x); return c ? c.quotes : 0; };
    } else if (key === "critical") f = (k) => tot(k)[0];
    else if (key === "supportive") f = (k) => tot(k)[1];
    else if (key === "neutral") f = (k) => tot(k)[2];
    else if (key === "balance-") f = (k) => { const b = balance(tot(k)); return b === null ? -9 : -b; };
    else if (key === "balance+") f = (k) => { const b = balance(tot(k)); return b === null ? -9 : b; };
    else f = (k) => sum4(tot(k));
    return (a, b) => f(b) - f(a) || sum4(tot(b)) - sum4(tot(a)) || name(a).localeCompare(name(b));
  }
  function add(totals, key, n) {
    const t = totals.get(key) || [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) t[i] += n[i];
    totals.set(key, t);
  }
  function renderMap(body) {
    const cells = viewCells();
    const rowT = new Map();
    const colT = new Map();
    const at = new Map();
    for (const c of cells) {
      add(rowT, c.sp, c.n);
      add(colT, c.org, c.n);
      at.set(c.sp + "," + c.org, c);
    }
    const orgName = (o) => OR[o];
    const rows = [...rowT.keys()].filter((k) => sum4(rowT.get(k)) >= S.min && matches(spName(k), S.fs));
    const cols = [...colT.keys()].filter((k) => sum4(colT.get(k)) >= S.min && matches(OR[k], S.fo));
    rows.sort(sorter(S.rs, rowT, spName, (sp, o) => at.get(sp + "," + o)));
    cols.sort(sorter(S.cs, colT, orgName, (o, sp) => at.get(sp + "," + o)));
    const shownRows = rows.slice(0, S.rows);
    const shownCols = cols.slice(0, S.cols);
    const vl = viewLink();
    const head = h("tr", null, h("th", { class: "corner" }, "speaker \\ organization",
      h("span", { class: "total" }, rows.length + " speakers, " + cols.length + " organizations")),
    shownCols.map((o) => h("th", { class: S.rs === "o" + o ? "sorted" : null, "data-organization": OR[o] },
      h("a", { class: "sorter", href: link({ rs: "o" + o }), title: "sort speakers by their quotes on " + OR[o] }, OR[o]),
      h("span", { class: "total" }, sum4(colT.get(o)) + " quotes"))),
    h("th", { class: "total-col" }, "all shown", h("span", { class: "total" }, "organizations")));
    const body_ = shownRows.map((sp) => h("tr", null,
      h("th", { class: S.cs === "s" + sp ? "sorted" : null, "data-speaker": spName(sp), title: spName(sp) },
        h("a", { class: "sorter", href: link({ cs: "s" + sp }), title: "sort organizations by " + spName(sp) + "'s quotes" },
          spName(sp)), h("span", { class: "total" }, sum4(rowT.get(sp)) + " quotes")),
      shownCols.map((o) => {
        const c = at.get(sp + "," + o);
        if (!c) return h("td", { class: "cell empty" });
        const selected = String(sp) === S.ss && String(o) === S.so;
        return h("td", { class: "cell" + (selected ? " selected" : ""), style: "background:" + shade(c.n),
          "data-speaker": spName(sp), "data-organization": OR[o], "data-critical": c.n[0],
          "data-supportive": c.n[1], "data-neutral": c.n[2], "data-unclassified": c.n[3],
          title: spName(sp) + " on " + OR[o] + ": " + countText(c.n) + " (" + c.articles + " articles)" },
        h("a", { href: link(Object.assign({ ss: sp, so: o, sk: "", qp: 1 }, vl)) }, counts(c.n)));
      }),
      h("td", { class: "cell total-col" }, (() => {
        const n = [0, 0, 0, 0];
        for (const o of shownCols) { const c = at.get(sp + "," + o); if (c) for (let i = 0; i < 4; i++) n[i] += c.n[i]; }
        return h("a", { href: link(Object.assign({ ss: sp, so: "", sk: "", qp: 1 }, vl)) }, counts(n));
      })())));
    const more = h("div", { class: "more" },
      "showing " + shownRows.length + " of " + rows.length + " speakers and " + shownCols.length + " of " +
      cols.length + " organizations",
      rows.length > S.rows ? h("a", { href: link({ rows: S.rows + 30 }) }, "more speakers") : null,
      cols.length > S.cols ? h("a", { href: link({ cols: S.cols + 15 }) }, "more organizations") : null);
    fill(body, cells.length ? h("div", { class: "map-wrap" },
      h("table", { class: "map", id: "stance-map" }, h("thead", null, head), h("tbody", null, body_))) :
      h("p", { class: "hint" }, "No quote in this collection names an organization."), more);
  }

  // ------------------------------------------------------------------ the selected quotes
  function selectedPairs() {
    const out = [];
    const ss = S.ss === "" ? null : Number(S.ss);
    const so = S.so === "" ? null : Number(S.so);
    const sk = S.sk === "" ? null : Number(S.sk);
    const groups = S.sb === "" ? null : ART_GROUP[Number(S.sb)];
    const sg = Number(S.sg);
    const candidates = ss !== null && so !== null ? PAIRS_OF.get(ss + "," + so) || [] : D.pairs.keys();
    for (const i of candidates) {
      const p = D.pairs[i];
      if ((ss === null || p[3] === ss) && (so === null || p[4] === so) &&
          (groups === null || groups[p[0]] === sg)) out.push(i);
    }
    const n = [0, 0, 0, 0];
    for (const i of out) n[D.pairs[i][5]]++;
    const kept = sk === null ? out : out.filter((i) => D.pairs[i][5] === sk);
    kept.sort((a, b) => D.pairs[a][5] - D.pairs[b][5] || (D.pairs[b][6] || 0) - (D.pairs[a][6] || 0) || a - b);
    return { pairs: kept, n: n };
  }
  function renderQuotes(body) {
    if (S.ss === "" && S.so === "" && S.sb === "") {
      fill(body, h("p", { class: "hint" }, "Click a cell of the map (or a name or count below) to list its quotes here."));
      return;
    }
    const { pairs, n } = selectedPairs();
    const who = S.ss === "" ? "Everyone" : spName(Number(S.ss));
    const what = S.so === "" ? "any organization" : OR[Number(S.so)];
    const where = S.sb === "" ? "" : " in " + D.breakdowns[S.sb].by + " = " + groupName(D.breakdowns[S.sb].values[S.sg]);
    const filters = h("div", { class: "controls" }, "show:",
      [["", "all"], ["0", "critical"], ["1", "supportive"], ["2", "neutral"], ["3", "not classified"]].map(([k, t]) =>
        S.sk === k ? h("b", null, t) : h("a", { href: link({ sk: k, qp: 1 }) }, t)),
      h("a", { href: link({ ss: "", so: "", sb: "", sg: "", sk: "", qp: 1 }) }, "clear"));
    const pg = pager(pairs.length, PAGE.quotes, S.qp, "qp");
    const items = pairs.slice(pg.from, pg.to).map((i) => {
      const [ai, qi, , sp, o, st, s] = D.pairs[i];
      const d = doc(ai);
      return h("li", { "data-pair": i }, h("div", { class: "who" }, badge(st, s), " ", spName(sp), " → ", OR[o],
        " · " + d.q[qi][1] + " quote · ", h("a", { href: quoteLink(ai, qi) }, d.id)), snippet(ai, qi));
    });
    fill(body, h("p", { id: "quotes-heading" }, h("b", null, who + " on " + what + where),
      ": " + sum4(n) + " quotes — " + countText(n)), filters, pg.el, h("ul", { class: "quotes" }, items), pg.el ? pg.el.cloneNode(true) : null);
  }

  // ------------------------------------------------------------------ organizations and speakers
  function best(sp, o, st) {
    let top = null;
    for (const i of PAIRS_OF.get(sp + "," + o) || []) {
      const p = D.pairs[i];
      const v = view();
      if (p[5] !== st || (v && ART_GROUP[v.b][p[0]] !== v.g)) continue;
      if (top === null || (p[6] || 0) > (D.pairs[top][6] || 0)) top = i;
    }
    return top;
  }
  function ranking(cells, st, o) {
    const ranked = cells.filter((c) => c.n[st] > 0)
      .sort((a, b) => b.n[st] - a.n[st] || (b.means[st] || 0) - (a.means[st] || 0) || spName(a.sp).localeCompare(spName(b.sp)))
      .slice(0, 5);
    if (!ranked.length) return h("p", { class: "hint" }, "no " + ST[st] + " quotes");
    const vl = viewLink();
    return h("ol", null, ranked.map((c) => {
      const i = best(c.sp, o, st);
      return h("li", null, h("a", { href: link(Object.assign({ ss: c.sp, so: o, sk: st, qp: 1 }, vl)) }, spName(c.sp)),
        " — " + c.n[st] + " of " + c.quotes + " quotes " + ST[st],
        i === null ? null : h("div", { class: "example" }, "“", snippet(D.pairs[i][0], D.pairs[i][1], 220), "”"));
    }));
  }
  function renderOrganizations(body) {
    const byOrg = new Map();
    for (const c of viewCells()) {
      if (!byOrg.has(c.org)) byOrg.set(c.org, []);
      byOrg.get(c.org).push(c);
    }
    const total = (o) => byOrg.get(o).reduce((a, c) => a + c.quotes, 0);
    const orgs = [...byOrg.keys()].filter((o) => matches(OR[o], S.fo))
      .sort((a, b) => total(b) - total(a) || OR[a].localeCompare(OR[b]));
    const pg = pager(orgs.length, PAGE.orgs, S.op, "op");
    const cards = orgs.slice(pg.from, pg.to).map((o) => {
      const cells = byOrg.get(o);
      const n = [0, 0, 0, 0];
      for (const c of cells) for (let i = 0; i < 4; i++) n[i] += c.n[i];
      return h("div", { class: "card", "data-organization": OR[o] }, h("h3", null, OR[o]),
        h("div", null, bar(n), " " + sum4(n) + " quotes by " + cells.length + " speakers: " + countText(n)),
        h("h4", null, "Most critical"), ranking(cells, 0, o), h("h4", null, "Most supportive"), ranking(cells, 1, o));
    });
    fill(body, h("p", { class: "hint" }, "Organizations with the most quotes first" +
      (S.fo ? ", matching “" + S.fo + "”" : "") + "; each speaker's example is their quote with the highest score."),
    pg.el, h("div", { class: "cards" }, cards), pg.el ? pg.el.cloneNode(true) : null);
  }
  function renderSpeakers(body) {
    const bySp = new Map();
    for (const c of viewCells()) {
      if (!bySp.has(c.sp)) bySp.set(c.sp, []);
      bySp.get(c.sp).push(c);
    }
    const total = (sp) => bySp.get(sp).reduce((a, c) => a + c.quotes, 0);
    const speakers = [...bySp.keys()].filter((sp) => matches(spName(sp), S.fs))
      .sort((a, b) => total(b) - total(a) || spName(a).localeCompare(spName(b)));
    const pg = pager(speakers.length, PAGE.speakers, S.pp, "pp");
    const vl = viewLink();
    const rows = speakers.slice(pg.from, pg.to).map((sp) => {
      const cells = bySp.get(sp).slice().sort((a, b) => b.quotes - a.quotes || OR[a.org].localeCompare(OR[b.org]));
      const n = [0, 0, 0, 0];
      for (const c of cells) for (let i = 0; i < 4; i++) n[i] += c.n[i];
      return h("tr", { "data-speaker": spName(sp) },
        h("td", null, h("a", { href: link(Object.assign({ ss: sp, so: "", sk: "", qp: 1 }, vl)) }, spName(sp))),
        h("td", null, sum4(n)), h("td", null, bar(n)),
        h("td", null, cells.map((c) => h("a", { class: "chip", style: "background:" + shade(c.n), title: countText(c.n),
          href: link(Object.assign({ ss: sp, so: c.org, sk: "", qp: 1 }, vl)) }, OR[c.org] + " ", counts(c.n)))));
    });
    fill(body, pg.el, h("table", { class: "plain" }, h("tr", null, h("th", null, "speaker"),
      h("th", null, "quotes"), h("th", null, "stances"), h("th", null, "organizations (critical, supportive, neutral)")), rows),
    pg.el ? pg.el.cloneNode(true) : null);
  }

  // ------------------------------------------------------------------ breakdowns by meta fields
  function renderBreakdowns(body) {
    fill(body, ...D.breakdowns.map((b, bi) => {
      const perOrg = new Map();
      for (const cells of BY[bi].values()) for (const c of cells) add(perOrg, c.org, c.n);
      const orgs = [...perOrg.keys()].sort((x, y) => sum4(perOrg.get(y)) - sum4(perOrg.get(x)) || OR[x].localeCompare(OR[y]))
        .filter((o) => matches(OR[o], S.fo)).slice(0, 12);
      const rows = b.values.map((v, gi) => {
        const at = new Map();
        const all = [0, 0, 0, 0];
        for (const c of BY[bi].get(gi) || []) { add(at, c.org, c.n); for (let i = 0; i < 4; i++) all[i] += c.n[i]; }
        const cell = (n, o) => (n ? h("td", { class: "cell", style: "background:" + shade(n) },
          h("a", { href: link({ ss: "", so: o, sb: bi, sg: gi, sk: "", qp: 1 }) }, counts(n))) : h("td", { class: "cell empty" }));
        return h("tr", { "data-group": groupName(v) }, h("th", null,
          h("a", { class: "sorter", href: link({ view: bi + "." + gi, qp: 1 }), title: "show the map for " + groupName(v) }, groupName(v)),
          h("span", { class: "total" }, sum4(all) + " quotes")),
        orgs.map((o) => cell(at.get(o), o)), cell(all, ""));
      });
      return h("div", { "data-by": b.by }, h("h3", null, "by " + b.by), h("div", { class: "map-wrap" },
        h("table", { class: "map" }, h("thead", null, h("tr", null, h("th", { class: "corner" }, b.by),
          orgs.map((o) => h("th", null, OR[o])), h("th", { class: "total-col" }, "all organizations"))),
        h("tbody", null, rows))), h("p", { class: "hint" }, "Click a value to see the map for it alone, a cell for its quotes."));
    }));
  }

  // ------------------------------------------------------------------ articles
  function renderArticles(body) {
    const all = [];
    for (let i = 0; i < D.articles.length; i++) if (matches(D.articles[i][0], S.af)) all.push(i);
    const pg = pager(all.length, PAGE.articles, S.ap, "ap");
    const items = all.slice(pg.from, pg.to).map((ai) => {
      const [id, nq, np, meta] = D.articles[ai];
      const d = doc(ai);
      const metaText = Object.entries(meta).map(([k, v]) => k + ": " + v).join(" · ");
      return h("article", { class: "doc", id: "art-" + ai, "data-article": id }, h("h3", null, id),
        h("div", { class: "meta" }, nq + " quotes · " + np + " quote–organization pairs" + (metaText ? " · " + metaText : "")),
        h("div", { class: "text" }, range(d, 0, d.text.length)));
    });
    fill(body, pg.el, ...items, pg.el ? pg.el.cloneNode(true) : null);
  }

  // ------------------------------------------------------------------ drawing
  let prev = null;
  function update() {
    const started = performance.now();
    S = readState();
    for (const el of app.querySelectorAll("[data-key]")) {
      if (document.activeElement !== el) el.value = String(S[el.dataset.key]);
    }
    renderMap(sections.map);
    renderQuotes(sections.quotes);
    renderOrganizations(sections.organizations);
    renderSpeakers(sections.speakers);
    if (sections.breakdowns) renderBreakdowns(sections.breakdowns);
    renderArticles(sections.articles);
    if (prev) {
      const changed = (keys) => keys.some((k) => String(prev[k]) !== String(S[k]));
      if (S.art !== "" && changed(["art", "q"])) focusQuote();
      else if (changed(["ss", "so", "sb", "sg"])) scrollTo("quotes");
      else if (changed(["view"]) && !document.activeElement.dataset.key) scrollTo("map");
    } else if (S.art !== "") focusQuote();
    prev = S;
    // How long one redraw takes (a click or a keystroke costs one), for the scale measurement.
    document.documentElement.dataset.updateMs = String(Math.round(performance.now() - started));
  }
  function focusQuote() {
    const el = document.getElementById("art-" + S.art);
    if (!el) return;
    const spans = S.q === "" ? [] : el.querySelectorAll('[data-q="' + Number(S.q) + '"]');
    for (const s of spans) s.classList.add("hl-focus");
    (spans[0] || el).scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", update);
  update();
  // How long the page took to show, from the start of loading (for the scale measurement).
  document.documentElement.dataset.renderMs = String(Math.round(performance.now()));
})();
