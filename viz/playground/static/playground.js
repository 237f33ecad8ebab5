// The playground's page: it shows what the server computes and sends back every edit.
// No number of backpropagation is computed here; the frames are the step-through pages'
// frames (title, caption, classes, texts, equation), applied to the SVG the server drew.
(function () {
  "use strict";
  const $ = id => document.getElementById(id);
  const bySymbol = s => document.querySelector(`[data-symbol="${CSS.escape(s)}"]`);
  const HIDDEN = ["sigmoid", "tanh", "relu", "linear"];
  const LAST = HIDDEN.concat(["softmax"]);

  function element(tag, attributes, text) {
    const e = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([k, v]) => e.setAttribute(k, v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function say(text, isError) {
    const m = $("message");
    m.textContent = text || "";
    m.className = isError ? "error" : "";
  }

  async function api(path, body) {
    let response;
    try {
      response = await fetch("api/" + path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch (e) {
      throw new Error("the playground's server does not answer (was it stopped?)");
    }
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || "HTTP " + response.status);
    return data;
  }

  // "w^2_j0" as the picture writes it, w²ⱼ₀: the page's notation in Unicode scripts.
  const SUP = { 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹", l: "ˡ" };
  const SUB = { 0: "₀", 1: "₁", 2: "₂", 3: "₃", 4: "₄", 5: "₅", 6: "₆", 7: "₇", 8: "₈", 9: "₉", j: "ⱼ", k: "ₖ" };
  const scripted = text => text
    .replace(/\^(\w)/g, (_, c) => SUP[c] || "^" + c)
    .replace(/_(\w+)/g, (_, cs) => Array.from(cs).map(c => SUB[c] || c).join(""));

  const fmt = x => (x === null || x === undefined ? "–" : Number(x.toPrecision(6)).toString());

  // --- Tab 1: step through ---------------------------------------------------------------

  let net = null;  // the last answer of api/net: the net, the example, frames, numbers
  let step = 0;
  let managed = [];

  // Edits made quickly, one after the other, build on each other: each request starts from
  // the one before it, and only the answer to the last request is shown.
  let pending = null;
  let asked = 0;

  async function recompute(request) {
    const ticket = ++asked;
    pending = request;
    try {
      const answer = await api("net", request);
      if (ticket !== asked) return;
      pending = null;
      say("");
      showNet(answer);
    } catch (e) {
      if (ticket !== asked) return;
      pending = null;
      say(e.message, true);
      if (net) showNet(net, true);  // the refused edit goes back to the net in use
    }
  }

  function current(field) {
    return pending && field in pending ? pending[field] : net[field];
  }

  function requestOf(changes) {
    const request = {};
    ["sizes", "activations", "cost", "x", "y", "seed", "weights", "biases"]
      .forEach(field => { request[field] = current(field); });
    return Object.assign(request, changes);
  }

  function activationSelects(holder, count, chosen, symbolPrefix) {
    holder.replaceChildren();
    for (let i = 0; i < count; i++) {
      const l = i + 2;
      const select = element("select", { "data-symbol": `${symbolPrefix}^${l}`, "data-layer": i });
      (i === count - 1 ? LAST : HIDDEN).forEach(name => {
        const o = element("option", { value: name }, name);
        if (name === chosen[i]) o.selected = true;
        select.appendChild(o);
      });
      const label = element("label", {}, `σ of layer ${l} `);
      label.appendChild(select);
      holder.appendChild(label);
    }
  }

  // A narrow box (a phone) shows the net's layers top to bottom, a wide one left to right.
  const TALL_BELOW = 700;  // px of the picture's box
  let tall = null;

  function narrow() {
    // A hidden tab's box has no width: the window's then.
    return ($("picture").clientWidth || window.innerWidth) < TALL_BELOW;
  }

  function showNet(answer, restore) {
    net = answer;
    tall = narrow();
    const text = tall ? answer.svg_tall : answer.svg;
    const parsed = new DOMParser().parseFromString(text, "image/svg+xml");
    const svg = document.importNode(parsed.documentElement, true);
    $("picture").replaceChildren(svg);
    fitPicture();
    managed = [];
    answer.frames.forEach(f => Object.keys(f.classes).concat(Object.keys(f.texts))
      .forEach(id => { if (!managed.includes(id)) managed.push(id); }));
    $("sizes").value = answer.sizes.join(",");
    activationSelects($("activations"), answer.activations.length, answer.activations, "activation");
    bySymbol("cost").value = answer.cost;
    $("seed").value = answer.seed;
    $("slider").max = answer.frames.length - 1;
    $("legend").replaceChildren(...answer.legend.map(([cls, text]) => {
      const key = element("span", { class: "key" });
      key.append(element("span", { class: "swatch " + cls }), text);
      return key;
    }));
    const check = $("check");
    check.textContent = answer.check.text;
    check.className = answer.check.ok ? "check" : "mismatch";
    showNumbers(restore);
    show(step);
  }

  // A larger net or a narrow screen scrolls the box instead of shrinking the labels out of reach.
  // The picture fills its box, down to 55 % of its natural size.
  // The zoom buttons set a scale of the natural size instead (null: fit).
  let zoom = null;

  function fitPicture() {
    const svg = $("picture").querySelector("svg");
    if (!svg) return;
    const natural = svg.viewBox.baseVal.width * 4 / 3;  // Graphviz writes points
    const fit = Math.max($("picture").clientWidth - 2, 0.55 * natural);
    svg.style.width = (zoom === null ? fit : zoom * natural) + "px";
  }

  function zoomBy(factor) {
    const svg = $("picture").querySelector("svg");
    const natural = svg.viewBox.baseVal.width * 4 / 3;
    const now = zoom === null ? svg.getBoundingClientRect().width / natural : zoom;
    zoom = Math.max(0.2, Math.min(4, now * factor));
    fitPicture();
  }

  function show(k) {
    const frames = net.frames;
    step = Math.max(0, Math.min(frames.length - 1, k));
    const f = frames[step];
    managed.forEach(id => {
      const g = document.getElementById(id);
      if (!g) return;
      g.setAttribute("class", g.getAttribute("class").split(" ")[0] + " " + (f.classes[id] || ""));
    });
    Object.entries(f.texts).forEach(([id, byIndex]) => {
      const g = document.getElementById(id);
      const texts = g ? Array.from(g.querySelectorAll("text")) : [];
      Object.entries(byIndex).forEach(([i, text]) => { if (texts[Number(i)]) texts[Number(i)].textContent = text; });
    });
    $("step-title").textContent = f.title;
    $("step-lines").replaceChildren(...f.caption.map(line => element("li", {}, line)));
    $("equation").replaceChildren(...f.equation.map(line => {
      const p = element("p", {}, line);
      if (line.startsWith("✓")) p.className = "check";
      if (line.startsWith("✗")) p.className = "mismatch";
      return p;
    }));
    centre(document.querySelector("#picture .current"));
    $("slider").value = String(step);
    $("counter").textContent = `step ${step} of ${frames.length - 1}`;
    document.body.dataset.step = String(step);
  }

  // Scroll the picture's box (only it, not the page) so that this step's element is in its middle.
  function centre(target) {
    if (!target) return;
    const picture = $("picture"), box = picture.getBoundingClientRect(), r = target.getBoundingClientRect();
    picture.scrollLeft += (r.left + r.right - box.left - box.right) / 2;
    picture.scrollTop += (r.top + r.bottom - box.top - box.bottom) / 2;
  }

  // The numbers panel: every x, y, w, b editable; every δ and gradient as text.
  function numberInput(symbol, value, onCommit) {
    const input = element("input", { "data-symbol": symbol, inputmode: "decimal", size: 7, "aria-label": symbol });
    input.value = input.dataset.shown = fmt(value);
    input.addEventListener("change", () => {
      const v = Number(input.value);
      if (input.value.trim() === "" || !Number.isFinite(v)) {
        say(`${symbol}: not a number: ${JSON.stringify(input.value)}`, true);
        input.value = input.dataset.shown;
        return;
      }
      onCommit(v);
    });
    return input;
  }

  // Every number of the panel by its symbol: the editable ones and the computed ones.
  function panelNumbers() {
    const numbers = Object.assign({}, net.values);
    net.x.forEach((v, k) => { numbers[`x_${k}`] = v; });
    net.y.forEach((v, j) => { numbers[`y_${j}`] = v; });
    const L = net.sizes.length;
    net.a[L - 2].forEach((v, j) => { numbers[`a^${L}_${j}`] = v; });
    net.weights.forEach((w, i) => w.forEach((row, j) => row.forEach((v, k) => {
      numbers[`w^${i + 2}_${j}${k}`] = v;
    })));
    net.biases.forEach((b, i) => b.forEach((v, j) => { numbers[`b^${i + 2}_${j}`] = v; }));
    return numbers;
  }

  // The same net's shape: the panel's numbers change in place, so a field being typed in
  // keeps its text and its cursor while the answer to an earlier edit arrives.
  let panelShape = null;

  function showNumbers(restore) {
    const shape = JSON.stringify([net.sizes, net.activations]);
    if (shape !== panelShape) {
      panelShape = shape;
      buildNumbers();
      return;
    }
    Object.entries(panelNumbers()).forEach(([symbol, v]) => {
      const e = bySymbol(symbol);
      if (!e) return;
      if (e.tagName === "INPUT") {
        e.dataset.shown = fmt(v);
        if (restore || e !== document.activeElement) e.value = e.dataset.shown;
      } else {
        e.textContent = fmt(v);
      }
    });
    $("cost-caption").textContent = costCaption();
  }

  function costCaption() {
    return scripted(`target y, output a^${net.sizes.length}, cost C = ${fmt(net.C)}`);
  }

  function cell(symbol, value) {
    return element("td", { "data-symbol": symbol, class: "out" }, fmt(value));
  }

  function table(caption, head, rows) {
    const t = element("table", { class: "numbers" });
    t.appendChild(element("caption", {}, caption));
    const tr = element("tr");
    head.forEach(h => tr.appendChild(element("th", {}, scripted(h))));
    t.appendChild(tr);
    rows.forEach(r => t.appendChild(r));
    return t;
  }

  function edited(field, path, v) {
    if (current(field) === undefined) return;  // new weights are on their way from the server
    const copy = JSON.parse(JSON.stringify(current(field)));
    let target = copy;
    path.slice(0, -1).forEach(i => { target = target[i]; });
    target[path[path.length - 1]] = v;
    recompute(requestOf({ [field]: copy }));
  }

  function buildNumbers() {
    const holder = $("numbers");
    const parts = [];
    const io = [];
    net.x.forEach((x, k) => {
      const tr = element("tr");
      tr.appendChild(element("th", {}, scripted(`x_${k} = a^1_${k}`)));
      const td = element("td");
      td.appendChild(numberInput(`x_${k}`, x, v => edited("x", [k], v)));
      tr.appendChild(td);
      io.push(tr);
    });
    parts.push(table("input x", ["", "value"], io));
    const L = net.sizes.length;
    for (let l = 2; l <= L; l++) {
      const w = net.weights[l - 2], b = net.biases[l - 2];
      const head = ["j"].concat(w[0].map((_, k) => `w^${l}_j${k}`), [`b^${l}_j`, `δ^${l}_j`, `∂C/∂b^${l}_j`],
        w[0].map((_, k) => `∂C/∂w^${l}_j${k}`));
      const rows = w.map((row, j) => {
        const tr = element("tr");
        tr.appendChild(element("th", {}, String(j)));
        row.forEach((wjk, k) => {
          const td = element("td");
          td.appendChild(numberInput(`w^${l}_${j}${k}`, wjk, v => edited("weights", [l - 2, j, k], v)));
          tr.appendChild(td);
        });
        const td = element("td");
        td.appendChild(numberInput(`b^${l}_${j}`, b[j], v => edited("biases", [l - 2, j], v)));
        tr.appendChild(td);
        tr.appendChild(cell(`delta^${l}_${j}`, net.values[`delta^${l}_${j}`]));
        tr.appendChild(cell(`dC/db^${l}_${j}`, net.values[`dC/db^${l}_${j}`]));
        row.forEach((_, k) => tr.appendChild(cell(`dC/dw^${l}_${j}${k}`, net.values[`dC/dw^${l}_${j}${k}`])));
        return tr;
      });
      parts.push(table(`layer ${l}: ${net.activations[l - 2]}`, head, rows));
    }
    const out = net.y.map((y, j) => {
      const tr = element("tr");
      tr.appendChild(element("th", {}, scripted(`y_${j}`)));
      const td = element("td");
      td.appendChild(numberInput(`y_${j}`, y, v => edited("y", [j], v)));
      tr.appendChild(td);
      tr.appendChild(cell(`a^${L}_${j}`, net.a[L - 2][j]));
      return tr;
    });
    const last = table(costCaption(), ["", "y", `a^${L}`], out);
    last.querySelector("caption").id = "cost-caption";
    parts.push(last);
    holder.replaceChildren(...parts);
  }

  // A click on a weight, a neuron (its bias), an input or the cost (its targets) in the
  // picture opens an editor over it; it commits through the numbers panel's own field.
  function editInPlace(e) {
    const g = e.target.closest("g[id]");
    if (!g || e.target.closest("#in-place")) return;
    let m, symbols = [];
    if ((m = /^w(\d+)_(\d+)_(\d+)$/.exec(g.id))) symbols = [`w^${m[1]}_${m[2]}${m[3]}`];
    else if ((m = /^z(\d+)_(\d+)$/.exec(g.id))) symbols = [`b^${m[1]}_${m[2]}`];
    else if ((m = /^a1_(\d+)$/.exec(g.id))) symbols = [`x_${m[1]}`];
    else if (g.id === "C") symbols = net.y.map((_, j) => `y_${j}`);
    const fields = symbols.map(bySymbol).filter(Boolean);
    if (!fields.length) return;
    const picture = $("picture"), box = picture.getBoundingClientRect();
    const editor = element("div", { id: "in-place" });
    editor.style.left = `${e.clientX - box.left + picture.scrollLeft}px`;
    editor.style.top = `${e.clientY - box.top + picture.scrollTop}px`;
    fields.forEach(field => {
      const symbol = field.dataset.symbol;
      const label = element("label", {}, scripted(symbol) + " = ");
      const input = element("input", { "data-edits": symbol, size: 8 });
      input.value = field.value;
      input.addEventListener("change", () => {
        field.value = input.value;
        editor.remove();
        field.dispatchEvent(new Event("change"));
      });
      input.addEventListener("keydown", k => { if (k.key === "Escape") editor.remove(); });
      input.addEventListener("blur", () => setTimeout(() => {
        if (!editor.contains(document.activeElement)) editor.remove();
      }, 0));
      label.appendChild(input);
      editor.appendChild(label);
    });
    document.getElementById("in-place")?.remove();
    picture.appendChild(editor);
    const first = editor.querySelector("input");
    first.focus();
    first.select();
  }

  function stepSettings() {
    $("sizes").addEventListener("change", () => {
      const sizes = $("sizes").value.split(",").map(s => Number(s.trim()));
      const request = { sizes, cost: net.cost, seed: net.seed };
      if (sizes.length === net.sizes.length) request.activations = net.activations;
      recompute(request);
    });
    $("activations").addEventListener("change", e => {
      const activations = current("activations").slice();
      activations[Number(e.target.dataset.layer)] = e.target.value;
      recompute(requestOf({ activations }));
    });
    bySymbol("cost").addEventListener("change", e => recompute(requestOf({ cost: e.target.value })));
    $("seed").addEventListener("change", () => {
      // no weights: the server draws them from the new seed (undefined is left out of JSON)
      recompute(requestOf({ seed: Number($("seed").value), weights: undefined, biases: undefined }));
    });
    $("first").onclick = () => show(0);
    $("prev").onclick = () => show(step - 1);
    $("next").onclick = () => show(step + 1);
    $("last").onclick = () => show(net.frames.length - 1);
    $("slider").oninput = () => show(Number($("slider").value));
    $("zoom-in").onclick = () => zoomBy(1.25);
    $("zoom-out").onclick = () => zoomBy(0.8);
    $("fit").onclick = () => { zoom = null; fitPicture(); };
    document.addEventListener("keydown", e => {
      if ($("step-tab").hidden || e.target.closest("input, select")) return;
      const moves = { ArrowRight: step + 1, ArrowLeft: step - 1, Home: 0, End: Infinity };
      if (e.key in moves) { show(moves[e.key]); e.preventDefault(); }
    });
    $("picture").addEventListener("click", editInPlace);
  }

  // --- Tab 2: train ----------------------------------------------------------------------

  let session = null;
  let data = null;
  let history = null;
  let progress = null;
  let generation = null;
  let polling = null;
  const COLOURS = [[31, 119, 180], [230, 126, 0], [44, 160, 44]];

  function emptyHistory() {
    return {
      epoch: [], training_cost: [], training_accuracy: [], held_out_cost: [], held_out_accuracy: [],
      delta_norm: [],
    };
  }

  function trainSettings() {
    const form = $("train-settings");
    const body = {};
    ["noise", "held_out", "lr", "l2"].forEach(n => { body[n] = Number(form.elements[n].value); });
    ["points", "batch_size", "seed"].forEach(n => { body[n] = Number(form.elements[n].value); });
    body.dataset = form.elements.dataset.value;
    body.cost = form.elements.cost.value;
    const hidden = form.elements.hidden.value.trim();
    body.hidden = hidden === "" ? [] : hidden.split(",").map(s => Number(s.trim()));
    const selects = Array.from($("train-activations").querySelectorAll("select"));
    if (selects.length === body.hidden.length + 1) body.activations = selects.map(s => s.value);
    return body;
  }

  function showConfig(config) {
    const form = $("train-settings");
    ["noise", "held_out", "lr", "l2", "points", "batch_size", "seed", "dataset", "cost"]
      .forEach(n => { form.elements[n].value = config[n]; });
    form.elements.hidden.value = config.hidden.join(",");
    activationSelects($("train-activations"), config.activations.length, config.activations, "train-activation");
  }

  async function configure() {
    try {
      data = await api("train/config", Object.assign({ session }, trainSettings()));
      say("");
    } catch (e) {
      say(e.message, true);
      data = await api("train/data", { session });
    }
    showConfig(data.config);
    await poll(true);
  }

  async function control(action) {
    try {
      take(await api("train/control", { session, action }), true);
      if (action === "start") startPolling();
    } catch (e) {
      say(e.message, true);
    }
  }

  function startPolling() {
    if (!polling) polling = setInterval(() => poll(false), 300);
  }

  async function poll(whole) {
    try {
      const since = whole ? 0 : history.epoch.length;
      take(await api("train/progress", { session, since }), whole === true);
    } catch (e) {
      say(e.message, true);
      clearInterval(polling);
      polling = null;
    }
  }

  function take(p, whole) {
    if (whole) {
      history = emptyHistory();
      generation = p.generation;
    } else if (p.generation !== generation) {
      return;  // an answer from before a reset: the next poll asks again
    }
    progress = p;
    Object.keys(history).forEach(k => history[k].push(...p.history[k]));
    if (!p.running && polling) { clearInterval(polling); polling = null; }
    if (p.error) say(p.error, true);
    bySymbol("epoch").textContent = `${p.epoch}` + (p.running ? " (training)" : "");
    bySymbol("training_cost").textContent = fmt(p.training_cost);
    const percent = a => (a === null ? "–" : (100 * a).toFixed(1) + " %");
    bySymbol("training_accuracy").textContent = percent(p.training_accuracy);
    bySymbol("held_out_accuracy").textContent = percent(p.held_out_accuracy);
    layersTable(p.layers);
    drawHeat();
    drawCurves();
    drawDeltas();
  }

  function layersTable(layers) {
    $("layers").tBodies[0].replaceChildren(...layers.map(h => {
      const tr = element("tr");
      tr.appendChild(element("td", {}, String(h.l)));
      tr.appendChild(element("td", {}, `${h.activation} (${h.size})`));
      tr.appendChild(element("td", { "data-symbol": `delta_norm^${h.l}` }, fmt(h.delta_norm)));
      const stuck = h.saturated !== null ? h.saturated : h.dead;
      const what = h.saturated !== null ? " saturated" : h.dead !== null ? " dead" : "";
      tr.appendChild(element("td", { "data-symbol": `saturation^${h.l}` },
        stuck === null ? "–" : (100 * stuck).toFixed(1) + " %" + what));
      return tr;
    }));
  }

  function drawHeat() {
    const canvas = $("heat"), c = canvas.getContext("2d");
    const W = canvas.width, H = canvas.height, g = progress.grid;
    if (!g) return;  // the net's outputs overflow: the last picture stays
    const n = g.size;
    const image = c.createImageData(n, n);
    g.label.forEach((label, i) => {
      const colour = COLOURS[label], s = 0.15 + 0.55 * g.strength[i];
      for (let ch = 0; ch < 3; ch++) image.data[4 * i + ch] = Math.round(255 - s * (255 - colour[ch]));
      image.data[4 * i + 3] = 255;
    });
    const small = document.createElement("canvas");
    small.width = small.height = n;
    small.getContext("2d").putImageData(image, 0, 0);
    c.imageSmoothingEnabled = true;
    c.drawImage(small, 0, 0, W, H);
    const [x0, x1, y0, y1] = data.bounds;
    const px = x => ((x - x0) / (x1 - x0)) * W, py = y => ((y1 - y) / (y1 - y0)) * H;
    const dot = (p, held) => {
      const colour = COLOURS[p[2]];
      c.beginPath();
      c.arc(px(p[0]), py(p[1]), held ? 4.5 : 3.5, 0, 2 * Math.PI);
      c.lineWidth = held ? 2.5 : 1;
      c.strokeStyle = held ? `rgb(${colour})` : "white";
      c.fillStyle = held ? "white" : `rgb(${colour})`;
      c.fill();
      c.stroke();
    };
    data.train.forEach(p => dot(p, false));
    data.held_out.forEach(p => dot(p, true));
  }

  function drawCurves() {
    const canvas = $("curves"), c = canvas.getContext("2d");
    const W = canvas.width, H = canvas.height, pad = 44;
    c.clearRect(0, 0, W, H);
    c.strokeStyle = "#999";
    c.lineWidth = 1;
    c.strokeRect(pad, 8, W - pad - 8, H - pad - 8);
    const epochs = history.epoch, last = Math.max(1, epochs[epochs.length - 1] || 1);
    const costs = history.training_cost.concat(history.held_out_cost).filter(v => v !== null);
    const top = Math.max(1e-9, ...costs);
    const X = e => pad + (e / last) * (W - pad - 8), Y = f => 8 + (1 - f) * (H - pad - 16);
    c.fillStyle = "#444";
    c.font = "11px sans-serif";
    c.fillText(top.toPrecision(2), 2, 16);
    c.fillText("0", pad - 10, H - pad);
    c.fillText(`epoch ${last}`, W - 70, H - 12);
    const line = (values, colour, scale, dashed) => {
      c.beginPath();
      c.setLineDash(dashed ? [5, 4] : []);
      c.strokeStyle = colour;
      c.lineWidth = 2;
      let started = false;
      values.forEach((v, i) => {
        if (v === null) return;
        const x = X(epochs[i]), y = Y(v / scale);
        if (started) c.lineTo(x, y); else { c.moveTo(x, y); started = true; }
      });
      c.stroke();
      c.setLineDash([]);
    };
    line(history.training_cost, "#1f77b4", top, false);
    line(history.held_out_cost, "#e67e00", top, false);
    line(history.training_accuracy, "#1f77b4", 1, true);
    line(history.held_out_accuracy, "#e67e00", 1, true);
  }

  const LAYER_COLOURS = ["#7b2cbf", "#1d7a1d", "#b8322a", "#555"];

  // One line per layer l: log10 of the mean ‖δ^l‖ over the training points, epoch by epoch.
  function drawDeltas() {
    const canvas = $("deltas"), c = canvas.getContext("2d");
    const W = canvas.width, H = canvas.height, pad = 44;
    c.clearRect(0, 0, W, H);
    const rows = history.delta_norm, epochs = history.epoch;
    const logs = rows.map(row => row.map(v => (v > 0 ? Math.log10(v) : null)));
    const all = logs.flat().filter(v => v !== null);
    if (!all.length) return;
    const low = Math.floor(Math.min(...all)), high = Math.max(low + 1, Math.ceil(Math.max(...all)));
    const last = Math.max(1, epochs[epochs.length - 1] || 1);
    const X = e => pad + (e / last) * (W - pad - 8), Y = v => 8 + ((high - v) / (high - low)) * (H - 36);
    c.strokeStyle = "#999";
    c.lineWidth = 1;
    c.strokeRect(pad, 8, W - pad - 8, H - 36);
    c.fillStyle = "#444";
    c.font = "11px sans-serif";
    c.fillText(`1e${high}`, 2, 16);
    c.fillText(`1e${low}`, 2, H - 28);
    c.fillText(`epoch ${last}`, W - 70, H - 8);
    const layers = logs.length ? logs[logs.length - 1].length : 0;
    for (let i = 0; i < layers; i++) {
      c.beginPath();
      c.strokeStyle = LAYER_COLOURS[i % LAYER_COLOURS.length];
      c.lineWidth = 2;
      let started = false;
      logs.forEach((row, n) => {
        if (row[i] === null || row[i] === undefined) return;
        if (started) c.lineTo(X(epochs[n]), Y(row[i])); else { c.moveTo(X(epochs[n]), Y(row[i])); started = true; }
      });
      c.stroke();
    }
    $("delta-key").replaceChildren(...Array.from({ length: layers }, (_, i) => {
      const key = element("span", { class: "key" });
      const swatch = element("span", { class: "swatch" });
      swatch.style.background = LAYER_COLOURS[i % LAYER_COLOURS.length];
      key.append(swatch, scripted(` layer ${i + 2} `));
      return key;
    }));
  }

  async function toStepThrough() {
    try {
      step = 0;
      showNet(await api("train/to-step-through", { session }));
      selectTab("step");
    } catch (e) {
      say(e.message, true);
    }
  }

  function selectTab(name) {
    ["step", "train"].forEach(t => {
      $(`${t}-tab`).hidden = t !== name;
      $(`tab-${t}`).setAttribute("aria-selected", String(t === name));
    });
    document.body.dataset.tab = name;
  }

  async function start() {
    stepSettings();
    $("tab-step").onclick = () => selectTab("step");
    $("tab-train").onclick = () => selectTab("train");
    ["start", "pause", "step", "epoch", "reset"].forEach(a => { $(a).onclick = () => control(a); });
    $("to-step").onclick = toStepThrough;
    window.addEventListener("resize", () => {
      if (net && narrow() !== tall) showNet(net, true);  // turned: the other layout
      else fitPicture();
    });
    $("train-settings").addEventListener("change", configure);
    $("train-settings").addEventListener("submit", e => e.preventDefault());
    selectTab("step");
    try {
      showNet(await api("net", {}));
      session = (await api("session", {})).session;
      data = await api("train/data", { session });
      showConfig(data.config);
      await poll(true);
      document.body.dataset.ready = "true";
    } catch (e) {
      say(e.message, true);
    }
  }

  start();
})();
