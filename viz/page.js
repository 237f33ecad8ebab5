// Steps through the frames in #frames: classes and label texts on the SVG's groups.
(function () {
  "use strict";
  const frames = JSON.parse(document.getElementById("frames").textContent);
  const last = frames.length - 1;
  const slider = document.getElementById("slider");
  const playButton = document.getElementById("play");
  const managed = new Set();  // every id some frame dresses, so each frame starts clean
  frames.forEach(f => Object.keys(f.classes).concat(Object.keys(f.texts)).forEach(id => managed.add(id)));
  let step = 0;
  let timer = null;
  // The picture keeps its natural size in a box of its own; only that box scrolls.
  const picture = document.getElementById("picture");

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
    const width = picture.clientWidth, height = picture.clientHeight;
    const lit = Array.from(picture.querySelectorAll(".current, .sending, .column, .receiving"));
    const all = union([target, ...lit].map(e => e.getBoundingClientRect()));
    const fits = all.right - all.left <= width && all.bottom - all.top <= height;
    const r = fits ? all : target.getBoundingClientRect();
    const right = box.left + width, bottom = box.top + height;
    const dx = r.left < box.left || r.right > right ? (r.left + r.right - box.left - right) / 2 : 0;
    const dy = r.top < box.top || r.bottom > bottom ? (r.top + r.bottom - box.top - bottom) / 2 : 0;
    picture.scrollBy(dx, dy);
  }

  function textsOf(id) {
    const g = document.getElementById(id);
    return g ? Array.from(g.querySelectorAll("text")) : [];
  }

  function show(k) {
    step = Math.max(0, Math.min(last, k));
    const f = frames[step];
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
    const target = picture.querySelector(".current") || (f.focus && document.getElementById(f.focus));
    if (target) bringIntoView(target);
    slider.value = String(step);
    document.getElementById("counter").textContent = "step " + step + " of " + last;
    document.body.dataset.step = String(step);
    if (location.hash !== "#step=" + step) history.replaceState(null, "", "#step=" + step);
  }

  function fromHash() {
    // The whole fragment must be "#step=" and digits: "1e3", "-1" or "2.5" open step 0, not 1 or 2.
    const m = /^#step=(\d+)$/.exec(location.hash);
    return m ? Number(m[1]) : 0;
  }

  function play() {
    if (timer) {
      clearInterval(timer);
      timer = null;
      playButton.textContent = "play";
      return;
    }
    if (step === last) show(0);
    playButton.textContent = "pause";
    timer = setInterval(() => {
      show(step + 1);
      if (step === last) play();
    }, 1200);
  }

  document.getElementById("first").onclick = () => show(0);
  document.getElementById("prev").onclick = () => show(step - 1);
  document.getElementById("next").onclick = () => show(step + 1);
  document.getElementById("last").onclick = () => show(last);
  playButton.onclick = play;
  slider.oninput = () => show(Number(slider.value));
  window.addEventListener("hashchange", () => show(fromHash()));
  document.addEventListener("keydown", e => {
    if (e.target === slider) return;  // the slider moves itself with the arrow keys
    const moves = { ArrowRight: step + 1, ArrowLeft: step - 1, Home: 0, End: last };
    if (e.key in moves) { show(moves[e.key]); e.preventDefault(); }
    else if (e.key === " ") { play(); e.preventDefault(); }
  });
  show(fromHash());
})();
