// The compose page of hashtag-rec: plain browser JS (ES2020), no build step, no framework.
// Served under a strict CSP (script-src 'self'; style-src 'self'), so no inline scripts or
// style attributes. Every piece of data (hashtags, counts, messages) goes into the page through
// textContent or attributes set with DOM APIs, never through innerHTML.
"use strict";

(() => {
  const DEBOUNCE_MS = 150;
  const K = 8;
  const MAX_CHARS = 280;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const SPARK_W = 72;
  const SPARK_H = 20;
  /** A partial hashtag right before the caret (the server's rule), for when the text changed after the answer. */
  const PARTIAL_HASHTAG = /(?:^|[^\p{L}\p{M}\p{N}_&])([#＃])([\p{L}\p{M}\p{N}_\u200c\u200d]*)$/u;

  const root = document.getElementById("app");
  const textarea = /** @type {HTMLTextAreaElement} */ (document.getElementById("draft"));
  const counter = document.getElementById("counter");
  const statusLine = document.getElementById("status");
  const list = document.getElementById("suggestions");
  const footer = document.getElementById("footer");

  const HINT = "Start typing to see hashtag suggestions.";

  /** Bumped for every request and every reset: only the latest request's answer is rendered. */
  let seq = 0;
  let timer = undefined;
  let controller = undefined;
  /** What the list shows: the request's text and the answer. */
  let shown = { text: "", completing: undefined, suggestions: [] };
  let active = -1;

  function setState(state) {
    root.dataset.state = state;
  }

  function setStatus(message, kind) {
    statusLine.textContent = message;
    if (kind) statusLine.dataset.kind = kind;
    else delete statusLine.dataset.kind;
  }

  function updateCounter() {
    const length = Array.from(textarea.value).length;
    counter.textContent = `${length} / ${MAX_CHARS}`;
    counter.setAttribute("aria-label", `${length} of ${MAX_CHARS} characters`);
    counter.classList.toggle("over", length > MAX_CHARS);
    counter.classList.toggle("near", length <= MAX_CHARS && length > MAX_CHARS - 20);
  }

  function isOpen() {
    return !list.hidden && shown.suggestions.length > 0;
  }

  function hideList() {
    list.hidden = true;
    setActive(-1);
  }

  function clearList() {
    shown = { text: "", completing: undefined, suggestions: [] };
    list.replaceChildren();
    hideList();
  }

  function setActive(index) {
    const options = list.querySelectorAll("[role=option]");
    active = index >= 0 && index < options.length ? index : -1;
    options.forEach((option, i) => {
      const selected = i === active;
      option.setAttribute("aria-selected", selected ? "true" : "false");
      option.classList.toggle("active", selected);
    });
    if (active >= 0) {
      const option = options[active];
      textarea.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      textarea.removeAttribute("aria-activedescendant");
    }
  }

  /** A sparkline of hourly counts, oldest first, drawn with DOM APIs. */
  function sparkline(series) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", "spark");
    svg.setAttribute("width", String(SPARK_W));
    svg.setAttribute("height", String(SPARK_H));
    svg.setAttribute("viewBox", `0 0 ${SPARK_W} ${SPARK_H}`);
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const values = Array.isArray(series) ? series.map((v) => (Number.isFinite(Number(v)) ? Math.max(0, Number(v)) : 0)) : [];
    if (values.length === 0) return svg;
    const max = Math.max(...values, 1);
    const pad = 2;
    const step = values.length > 1 ? (SPARK_W - 2 * pad) / (values.length - 1) : 0;
    const points = values.map((v, i) => {
      const x = pad + i * step;
      const y = SPARK_H - pad - (v / max) * (SPARK_H - 2 * pad);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    });
    const area = document.createElementNS(SVG_NS, "polygon");
    area.setAttribute("class", "spark-area");
    area.setAttribute("points", `${pad},${SPARK_H - pad} ${points.join(" ")} ${(pad + (values.length - 1) * step).toFixed(1)},${SPARK_H - pad}`);
    const line = document.createElementNS(SVG_NS, "polyline");
    line.setAttribute("class", "spark-line");
    line.setAttribute("points", points.join(" "));
    svg.append(area, line);
    return svg;
  }

  function formatScore(value) {
    const n = Number(value);
    if (!Number.isFinite(n)) return "?";
    return n >= 0.001 || n === 0 ? n.toFixed(3) : n.toExponential(1);
  }

  function render(text, result) {
    const suggestions = Array.isArray(result.suggestions) ? result.suggestions : [];
    shown = { text, completing: result.completing, suggestions };
    const items = suggestions.map((s, i) => {
      const li = document.createElement("li");
      li.id = `suggestion-${i}`;
      li.className = "suggestion";
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.index = String(i);
      const trendScore = s.trend && Number.isFinite(Number(s.trend.score)) ? Number(s.trend.score) : 0;
      li.title = `#${s.hashtag} · score ${formatScore(s.score)} · trend ${trendScore.toFixed(1)} · ${s.count} uses`;

      const tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = `#${s.hashtag}`;
      const count = document.createElement("span");
      count.className = "count";
      const n = Number(s.count);
      count.textContent = Number.isFinite(n) ? `${n.toLocaleString("en")} ${n === 1 ? "use" : "uses"}` : "";
      li.append(tag, count, sparkline(s.trend && s.trend.series));
      return li;
    });
    list.replaceChildren(...items);
    if (items.length === 0) {
      hideList();
      setStatus(result.completing ? `No hashtags start with “${result.completing.prefix}”.` : "No suggestions for this text yet.");
      return;
    }
    list.hidden = false;
    setStatus("");
    // When completing a partial hashtag, Enter takes the best match; otherwise Enter stays a newline until ↓.
    setActive(result.completing ? 0 : -1);
  }

  function describeError(body, response) {
    if (body && body.error && typeof body.error.message === "string") {
      return `${typeof body.error.code === "string" ? body.error.code : "ERROR"}: ${body.error.message}`;
    }
    return `The server answered ${response.status} ${response.statusText}`.trim();
  }

  async function refresh() {
    clearTimeout(timer);
    timer = undefined;
    if (controller) controller.abort();
    controller = undefined;
    const mine = ++seq;
    const text = textarea.value;
    if (text.trim().length === 0) {
      clearList();
      setStatus(HINT);
      setState("idle");
      return;
    }
    const cursor = textarea.selectionStart;
    const abort = new AbortController();
    controller = abort;
    setState("loading");
    try {
      const response = await fetch("/v1/suggest", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ text, k: K, cursor }),
        signal: abort.signal,
      });
      let body;
      try {
        body = await response.json();
      } catch {
        body = undefined;
      }
      if (mine !== seq) return;
      if (!response.ok || !body) {
        setStatus(describeError(body, response), "error");
        return;
      }
      render(text, body);
    } catch (error) {
      if (mine !== seq || (error && error.name === "AbortError")) return;
      setStatus(`Could not reach the server: ${error && error.message ? error.message : String(error)}`, "error");
    } finally {
      if (mine === seq) {
        controller = undefined;
        setState("idle");
      }
    }
  }

  function schedule() {
    clearTimeout(timer);
    setState("pending");
    timer = setTimeout(() => void refresh(), DEBOUNCE_MS);
  }

  /** The span a chosen hashtag replaces: the answer's `completing` if the text is unchanged, else the partial hashtag at the caret. */
  function targetSpan() {
    const text = textarea.value;
    const c = shown.completing;
    if (c && text === shown.text && Number.isInteger(c.start) && Number.isInteger(c.end) && c.start >= 0 && c.end <= text.length && c.start <= c.end) {
      return { start: c.start, end: c.end, completing: true };
    }
    const caret = textarea.selectionStart;
    const partial = PARTIAL_HASHTAG.exec(text.slice(0, caret));
    if (partial && partial[2].length > 0) {
      return { start: caret - partial[1].length - partial[2].length, end: caret, completing: true };
    }
    return { start: textarea.selectionStart, end: textarea.selectionEnd, completing: false };
  }

  function insert(index) {
    const suggestion = shown.suggestions[index];
    if (!suggestion) return;
    const text = textarea.value;
    const { start, end, completing } = targetSpan();
    const before = text.slice(0, start);
    const after = text.slice(end);
    const lead = !completing && before.length > 0 && !/\s$/u.test(before) ? " " : "";
    const trail = /^\s/u.test(after) ? "" : " ";
    const insertion = `${lead}#${suggestion.hashtag}${trail}`;
    textarea.value = before + insertion + after;
    const caret = before.length + insertion.length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    updateCounter();
    hideList();
    void refresh();
  }

  textarea.addEventListener("input", () => {
    updateCounter();
    if (textarea.value.trim().length === 0) {
      void refresh();
      return;
    }
    schedule();
  });

  textarea.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    const count = shown.suggestions.length;
    switch (event.key) {
      case "ArrowDown":
        if (count === 0) return;
        if (list.hidden) {
          list.hidden = false;
          setActive(0);
        } else {
          setActive(active < 0 ? 0 : (active + 1) % count);
        }
        event.preventDefault();
        return;
      case "ArrowUp":
        if (!isOpen()) return;
        setActive(active <= 0 ? count - 1 : active - 1);
        event.preventDefault();
        return;
      case "Enter":
        if (!isOpen() || active < 0 || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
        event.preventDefault();
        insert(active);
        return;
      case "Escape":
        if (list.hidden) return;
        event.preventDefault();
        hideList();
        return;
      default:
    }
  });

  // Moving the caret without typing (clicks, arrows, Home/End) can start or leave a partial hashtag.
  let lastCaret = 0;
  function caretMoved() {
    if (textarea.selectionStart === lastCaret) return;
    lastCaret = textarea.selectionStart;
    if (textarea.value.trim().length > 0) schedule();
  }
  textarea.addEventListener("keyup", (event) => {
    if (["ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"].includes(event.key)) caretMoved();
    else lastCaret = textarea.selectionStart;
  });
  textarea.addEventListener("mouseup", caretMoved);

  // Keep the textarea focused (and its caret) while choosing with the mouse.
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target instanceof Element ? event.target.closest("[role=option]") : null;
    if (!option || !list.contains(option)) return;
    insert(Number(option.dataset.index));
  });
  list.addEventListener("mousemove", (event) => {
    const option = event.target instanceof Element ? event.target.closest("[role=option]") : null;
    if (option && list.contains(option)) {
      const index = Number(option.dataset.index);
      if (index !== active) setActive(index);
    }
  });

  async function showBackend() {
    try {
      const response = await fetch("/readyz", { headers: { accept: "application/json" } });
      const body = await response.json();
      if (!body || typeof body !== "object") return;
      const parts = [];
      if (typeof body.model === "string") parts.push(`model ${body.model}`);
      if (typeof body.store === "string") parts.push(`store ${body.store}`);
      if (parts.length === 0) return;
      footer.textContent = `Runs on ${parts.join(" · ")}${body.status && body.status !== "ready" ? ` (${body.status})` : ""}`;
    } catch {
      // The footer is optional.
    }
  }

  updateCounter();
  setStatus(HINT);
  if (textarea.value.trim().length > 0) schedule();
  void showBackend();
})();
