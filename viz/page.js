// Steps through the frames in #frames: classes and label texts on the SVG's groups. The
// picture is scaled to fit its box (zoom 1) or zoomed in from there; the step, the zoom and
// the text size live in the URL: #step=3&zoom=1.5&text=1.25.
(function () {
  "use strict";
  const frames = JSON.parse(document.getElementById("frames").textContent);
  const last = frames.length - 1;
  const slider = document.getElementById("slider");
  const playButton = document.getElementById("play");
  const speed = document.getElementById("speed");
  const picture = document.getElementById("picture");
  // The picture, and the same drawing laid out in another direction (each <template>): the
  // page shows the one that its box shows largest at fit (top to bottom on a phone).
  const layouts = [picture.querySelector("svg"),
    ...Array.from(picture.querySelectorAll("template.layout"), t => t.content.querySelector("svg"))];
  let svg = layouts[0];
  const managed = new Set();  // every id some frame dresses, so each frame starts clean
  frames.forEach(f => Object.keys(f.classes).concat(Object.keys(f.texts)).forEach(id => managed.add(id)));

  // A picture's size as drawn (CSS px), before the page scales it.
  const sizeOf = s => ({ width: s.width.baseVal.value, height: s.height.baseVal.value });
  let natural = sizeOf(svg);
  const FIT_MAX = 2;  // a small picture is enlarged to fit, but its labels at most doubled
  const ZOOM_STEP = 1.25;
  const LARGEST = 4;  // zooming in stops at 4 × the drawing's own size (or at fit, if larger)
  const TEXT = { least: 0.75, most: 2, step: 0.125 };
  const PLAY_MS = 2000;  // one step at 1× speed
  let step = 0, zoom = 1, textSize = 1, scale = 1;
  let timer = null;

  function fitScale(size = natural) {
    // The box's outer size, which does not change when scroll bars come and go.
    const width = picture.offsetWidth - 2, height = picture.offsetHeight - 2;  // its border
    return Math.min(FIT_MAX, width / size.width, height / size.height);
  }

  function chooseLayout() {
    // True when the layout shown changed: the step's classes and texts must be put on it.
    const best = layouts.reduce((a, b) => (fitScale(sizeOf(b)) > fitScale(sizeOf(a)) ? b : a));
    if (best === svg) return false;
    svg.replaceWith(best);
    svg = best;
    natural = sizeOf(svg);
    return true;
  }

  function largestZoom() {
    return Math.max(1, LARGEST / fitScale());
  }

  function union(rects) {
    return rects.reduce((u, r) => ({
      left: Math.min(u.left, r.left), right: Math.max(u.right, r.right),
      top: Math.min(u.top, r.top), bottom: Math.max(u.bottom, r.bottom),
    }));
  }

  function bringIntoView(target) {
    // Scroll the box (and nothing else) so that everything the step highlights is seen, or,
    // when that is larger than the box, so that the target is centred in it.
    const box = picture.getBoundingClientRect();
    const left = box.left + picture.clientLeft, top = box.top + picture.clientTop;
    const width = picture.clientWidth, height = picture.clientHeight;
    const lit = Array.from(picture.querySelectorAll(".current, .sending, .column, .receiving"));
    const all = union([target, ...lit].map(e => e.getBoundingClientRect()));
    const fits = all.right - all.left <= width && all.bottom - all.top <= height;
    const r = fits ? all : target.getBoundingClientRect();
    const right = left + width, bottom = top + height;
    const dx = r.left < left || r.right > right ? (r.left + r.right - left - right) / 2 : 0;
    const dy = r.top < top || r.bottom > bottom ? (r.top + r.bottom - top - bottom) / 2 : 0;
    picture.scrollBy(dx, dy);
  }

  function target() {
    const f = frames[step];
    return picture.querySelector(".current") || (f.focus && document.getElementById(f.focus));
  }

  function setScale() {
    // Keep the point at the centre of the box where it is, in the drawing's own units.
    const cx = (picture.scrollLeft + picture.clientWidth / 2) / scale;
    const cy = (picture.scrollTop + picture.clientHeight / 2) / scale;
    if (chooseLayout()) dress(frames[step]);
    scale = fitScale() * zoom;
    // Whole pixels, rounded down: a fitted picture never gets scroll bars from a fraction.
    svg.style.width = Math.floor(natural.width * scale) + "px";
    svg.style.height = Math.floor(natural.height * scale) + "px";
    picture.scrollLeft = cx * scale - picture.clientWidth / 2;
    picture.scrollTop = cy * scale - picture.clientHeight / 2;
    document.getElementById("fit").setAttribute("aria-pressed", String(zoom === 1));
    document.getElementById("zoom-out").disabled = zoom === 1;
    document.getElementById("zoom-in").disabled = zoom >= largestZoom();
  }

  function setZoom(z) {
    zoom = Math.max(1, Math.min(largestZoom(), z));
    setScale();
    const t = target();
    if (t && zoom > 1) bringIntoView(t);
    writeHash();
  }

  function setText(t) {
    textSize = Math.max(TEXT.least, Math.min(TEXT.most, t));
    document.body.style.setProperty("--text", String(textSize));
    document.getElementById("text-smaller").disabled = textSize === TEXT.least;
    document.getElementById("text-larger").disabled = textSize === TEXT.most;
    setScale();  // the box's size follows the text around it
    writeHash();
  }

  function round(x) {
    return String(Math.round(x * 1000) / 1000);
  }

  function writeHash() {
    let hash = "#step=" + step;
    if (zoom !== 1) hash += "&zoom=" + round(zoom);
    if (textSize !== 1) hash += "&text=" + round(textSize);
    // Jupyter's srcdoc iframe (about:srcdoc) has no URL of its own to keep them in.
    if (location.hash !== hash && location.protocol !== "about:") history.replaceState(null, "", hash);
  }

  function textsOf(id) {
    const g = document.getElementById(id);
    return g ? Array.from(g.querySelectorAll("text")) : [];
  }

  function dress(f) {
    // The frame's classes and label texts on the picture shown.
    managed.forEach(id => {
      const g = document.getElementById(id);
      if (g) g.setAttribute("class", g.getAttribute("class").split(" ")[0] + " " + (f.classes[id] || ""));
    });
    Object.entries(f.texts).forEach(([id, byIndex]) => {
      const texts = textsOf(id);
      Object.entries(byIndex).forEach(([i, text]) => {
        const t = texts[Number(i) < 0 ? texts.length + Number(i) : Number(i)];
        if (t) t.textContent = text;
      });
    });
  }

  function show(k) {
    step = Math.max(0, Math.min(last, k));
    const f = frames[step];
    dress(f);
    document.getElementById("step-title").textContent = f.title;
    const lines = document.getElementById("step-lines");
    lines.replaceChildren(...f.caption.map(line => {
      const li = document.createElement("li");
      li.textContent = line;
      return li;
    }));
    const equation = document.getElementById("equation");
    equation.replaceChildren(...f.equation.map(line => {
      const p = document.createElement("p");
      p.textContent = line;
      if (line.startsWith("✓")) p.className = "check";
      if (line.startsWith("✗")) p.className = "mismatch";
      return p;
    }));
    // The caption's height may change the box's: fit again before looking for the step.
    setScale();
    const t = target();
    if (t) bringIntoView(t);
    slider.value = String(step);
    const counter = "step " + step + " of " + last;
    document.getElementById("counter").textContent = counter;
    slider.setAttribute("aria-valuetext", counter);
    document.body.dataset.step = String(step);
    writeHash();
  }

  // A value from the URL, or null when it is missing or not a plain decimal number
  // (1e3, 0x10, Infinity, 2abc are refused, not read as something else).
  function fromHash(name, pattern) {
    const text = new URLSearchParams(location.hash.slice(1)).get(name);
    return text !== null && pattern.test(text) ? Number(text) : null;
  }

  function readHash() {
    const s = fromHash("step", /^\d{1,9}$/);
    const z = fromHash("zoom", /^\d{1,4}(\.\d{1,6})?$/);
    const t = fromHash("text", /^\d{1,4}(\.\d{1,6})?$/);
    zoom = z === null ? 1 : Math.max(1, Math.min(largestZoom(), z));
    setText(t === null ? 1 : t);
    show(s === null ? 0 : s);
  }

  function stop() {
    clearInterval(timer);
    timer = null;
    playButton.textContent = "play";
  }

  function start() {
    playButton.textContent = "pause";
    timer = setInterval(() => {
      show(step + 1);
      if (step === last) stop();
    }, PLAY_MS / Number(speed.value));
  }

  function play() {
    if (timer) return stop();
    if (step === last) show(0);
    start();
  }

  document.getElementById("first").onclick = () => show(0);
  document.getElementById("prev").onclick = () => show(step - 1);
  document.getElementById("next").onclick = () => show(step + 1);
  document.getElementById("last").onclick = () => show(last);
  document.getElementById("zoom-in").onclick = () => setZoom(zoom * ZOOM_STEP);
  document.getElementById("zoom-out").onclick = () => setZoom(zoom / ZOOM_STEP);
  document.getElementById("fit").onclick = () => setZoom(1);
  document.getElementById("text-smaller").onclick = () => setText(textSize - TEXT.step);
  document.getElementById("text-larger").onclick = () => setText(textSize + TEXT.step);
  playButton.onclick = play;
  speed.onchange = () => { if (timer) { clearInterval(timer); start(); } };
  slider.oninput = () => show(Number(slider.value));
  window.addEventListener("hashchange", readHash);
  window.addEventListener("resize", () => setZoom(zoom));
  document.addEventListener("keydown", e => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;  // the browser's own zoom and shortcuts
    // The slider, the speed and the key's heading answer keys themselves.
    if (e.target instanceof Element && e.target.closest("input, select, summary")) return;
    const moves = { ArrowRight: step + 1, ArrowLeft: step - 1, Home: 0, End: last };
    const zooms = { "+": zoom * ZOOM_STEP, "=": zoom * ZOOM_STEP, "-": zoom / ZOOM_STEP, "0": 1 };
    if (e.key in moves) show(moves[e.key]);
    else if (e.key in zooms) setZoom(zooms[e.key]);
    else if (e.key === " ") play();
    else return;
    e.preventDefault();
  });
  // A short or narrow window starts with the key folded: the caption and picture keep their room.
  const key = document.getElementById("key");
  if (window.innerHeight < 560 || window.innerWidth < 600) key.open = false;
  key.addEventListener("toggle", () => setZoom(zoom));  // the picture's box changed size
  readHash();
})();
