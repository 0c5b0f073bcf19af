// neuroflow Playground: the page's state (mirrored in the URL), the server session, controls and live drawing.
"use strict";

(() => {
  const $ = id => document.getElementById(id);
  const OPTIONS = {
    learningRate: [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
    activation: [["relu", "ReLU"], ["tanh", "Tanh"], ["sigmoid", "Sigmoid"], ["linear", "Linear"]],
    regularization: [["none", "None"], ["L1", "L1"], ["L2", "L2"]],
    regularizationRate: [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
    problem: [["classification", "Classification"], ["regression", "Regression"]],
    optimizer: [["sgd", "SGD"], ["momentum", "Momentum"], ["adam", "Adam"], ["rmsprop", "RMSProp"]],
    loss: [["square", "Square"], ["crossentropy", "Cross-entropy"]],
    dropout: [0, 0.1, 0.2, 0.3, 0.4, 0.5],
    numClasses: [2, 3, 4, 5, 6],
  };
  const DATASETS = {
    classification: [["circle", "Circle"], ["xor", "XOR"], ["gauss", "Gaussian"], ["spiral", "Spiral"]],
    regression: [["reg-plane", "Plane"], ["reg-gauss", "Gaussians"]],
  };
  const FEATURE_KEYS = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"];

  let state = {};          // the config, as the server last confirmed it
  let session = null;      // the server session id
  let events = null;       // the EventSource
  let structure = null;    // the latest "structure" message
  let lastFrame = null;
  let history = [];        // [epoch, train loss, test loss]
  let thumbs = null;
  // for tests and the curious: how many pictures this page has drawn
  const stats = window.playgroundStats = {frames: 0, structures: 0, session: null, epoch: 0, playing: false, evicted: 0};

  // --- URL <-> state (TensorFlow Playground's hash format: #key=value&...) ----------------------------------
  function readHash() {
    const out = {};
    for (const part of location.hash.replace(/^#/, "").split("&")) {
      if (!part) continue;
      const i = part.indexOf("=");
      if (i > 0) out[decodeURIComponent(part.slice(0, i))] = decodeURIComponent(part.slice(i + 1));
    }
    return out;
  }

  function writeHash() {
    const parts = Object.keys(state).sort().map(k => {
      const v = Array.isArray(state[k]) ? state[k].join(",") : state[k];
      return `${k}=${encodeURIComponent(v)}`.replace(/%2C/g, ",");
    });
    history_replace("#" + parts.join("&"));
  }

  function history_replace(hash) {
    if (location.hash !== hash) window.history.replaceState(null, "", hash);
  }

  // --- server calls ------------------------------------------------------------------------------------------
  async function api(path, body, raw) {
    const init = {method: "POST", headers: {}};
    if (raw !== undefined) { init.body = raw; init.headers["Content-Type"] = "text/csv"; }
    else { init.body = JSON.stringify(body || {}); init.headers["Content-Type"] = "application/json"; }
    const res = await fetch(path, init);
    let data = {};
    try { data = await res.json(); } catch (e) { data = {error: `The server answered ${res.status}.`}; }
    if (!res.ok) {
      const ours = session && path.startsWith(`/api/sessions/${session}`);
      if (res.status === 410 && ours) { sessionEnded(data.error); throw new Error(data.error); }
      if (res.status === 404 && ours) restart();
      throw new Error(data.error || `The server answered ${res.status}.`);
    }
    return data;
  }

  async function start(config) {
    const data = await api("/api/sessions", {config});
    session = stats.session = data.id;
    applyConfig(data.config);
    showNotes(data.notes);
    $("export-py").href = `/api/sessions/${session}/export.py`;
    $("export-json").href = `/api/sessions/${session}/export.json`;
    if (events) events.close();
    events = new EventSource(`/api/sessions/${session}/events`);
    events.addEventListener("structure", e => onStructure(JSON.parse(e.data)));
    events.addEventListener("frame", e => onFrame(JSON.parse(e.data)));
    events.addEventListener("ended", e => { events.close(); sessionEnded(JSON.parse(e.data).reason); });
    events.onerror = () => { if (events.readyState === EventSource.CLOSED) restart(); };
  }

  let restarting = false;
  function restart(message) {   // the server forgot us (restarted, closed an idle session or made room): start over
    if (message) showError(message);
    if (restarting) return;
    restarting = true;
    setTimeout(() => start(state).catch(showError).finally(() => { restarting = false; }), 1000);
  }

  // the server closed this tab's session to make room for another tab: say so, and carry on in a new one
  function sessionEnded(reason) {
    stats.evicted++;
    restart(`${reason} A new session was started with the same settings; training starts again from epoch 0.`);
  }

  async function send(changes) {
    Object.assign(state, changes);
    writeHash();
    try {
      const data = await api(`/api/sessions/${session}/config`, {config: state});
      applyConfig(data.config);
      showNotes(data.notes);
    } catch (e) { showError(e); }
  }

  async function control(action) {
    try {
      const data = await api(`/api/sessions/${session}/control`, {action});
      setPlaying(data.playing);
    } catch (e) { showError(e); }
  }

  // --- messages ----------------------------------------------------------------------------------------------
  function showNotes(notes) {
    if (notes && notes.length) { $("error-message").textContent = notes.join("\n"); }
  }
  function showError(e) { $("error-message").textContent = String(e.message || e); }
  function dataMessage(text, isError) {
    const m = $("data-message");
    m.textContent = text;
    m.classList.toggle("error", !!isError);
  }

  // --- controls ----------------------------------------------------------------------------------------------
  function fillSelects() {
    for (const [key, opts] of Object.entries(OPTIONS)) {
      const sel = $(key);
      for (const o of opts) {
        const [value, label] = Array.isArray(o) ? o : [o, String(o)];
        const opt = document.createElement("option");
        opt.value = value;
        opt.textContent = label;
        sel.appendChild(opt);
      }
    }
    document.querySelectorAll("[data-key]").forEach(input => {
      input.addEventListener("change", () => {
        const key = input.dataset.key;
        let value = input.type === "checkbox" ? input.checked : input.value;
        if (input.dataset.number !== undefined || input.type === "range" || input.type === "number") value = Number(value);
        if (key === "showTestData" || key === "discretize") {      // drawing only: no server round trip needed
          state[key] = value;
          writeHash();
          redrawPoints();
          if (lastFrame) drawOutput(lastFrame);
        }
        send({[key]: value});
      });
      if (input.type === "range") input.addEventListener("input", () => { $(input.id + "-value").textContent = input.value; });
    });
    $("play-pause-button").addEventListener("click", () => control(stats.playing ? "pause" : "play"));
    $("next-step-button").addEventListener("click", () => control("step"));
    $("reset-button").addEventListener("click", () => control("reset"));
    $("regenerate").addEventListener("click", () => send({seed: Math.floor(Math.random() * 100000)}));
    $("add-layers").addEventListener("click", () => {
      const shape = state.networkShape.slice();
      if (shape.length < NetworkView.MAX_UI_LAYERS) { shape.push(shape.length ? shape[shape.length - 1] : 2); send({networkShape: shape}); }
    });
    $("remove-layers").addEventListener("click", () => {
      if (state.networkShape.length) send({networkShape: state.networkShape.slice(0, -1)});
    });
    $("csv-file").addEventListener("change", uploadCsv);
    for (const id of ["export-py", "export-json"]) $(id).addEventListener("click", exportFile);
  }

  function applyConfig(cfg) {
    state = cfg;
    document.querySelectorAll("[data-key]").forEach(input => {
      const v = cfg[input.dataset.key];
      if (input.type === "checkbox") input.checked = !!v;
      else input.value = String(v);
      if (input.type === "range") $(input.id + "-value").textContent = input.value;
    });
    const n = cfg.networkShape.length;
    $("num-layers").textContent = n;
    $("layers-label").textContent = n === 1 ? "hidden layer" : "hidden layers";
    $("add-layers").disabled = n >= NetworkView.MAX_UI_LAYERS;
    $("remove-layers").disabled = n === 0;
    $("loss").disabled = cfg.problem === "regression";
    const dataset = cfg.problem === "classification" ? cfg.dataset : cfg.regDataset;
    // class count: the built-in sets' setting (xor has two); an upload brings its own
    $("classes-row").hidden = cfg.problem !== "classification" || dataset === "csv";
    $("classes-row").classList.toggle("disabled", dataset === "xor");
    $("numClasses").disabled = dataset === "xor";
    buildDatasetButtons();
    writeHash();
  }

  function buildDatasetButtons() {
    const list = $("datasets");
    const key = state.problem === "classification" ? "dataset" : "regDataset";
    const wanted = DATASETS[state.problem].map(d => d[0]).concat(["csv"]).join();
    if (list.dataset.built !== wanted) {
      list.innerHTML = "";
      for (const [name, label] of DATASETS[state.problem]) {
        const b = document.createElement("button");
        b.dataset.dataset = name;
        b.title = label;
        const c = document.createElement("canvas");
        c.width = c.height = 52;
        b.appendChild(c);
        const span = document.createElement("span");
        span.textContent = label;
        b.appendChild(span);
        b.addEventListener("click", () => send({[key]: name}));
        list.appendChild(b);
        if (thumbs && thumbs[name]) Draw.paintThumb(c, thumbs[name], state.problem === "regression" ? "regression" : "binary");
      }
      const csv = document.createElement("button");
      csv.dataset.dataset = "csv";
      csv.className = "csv-thumb";
      csv.title = "Your own data (upload a CSV file below)";
      csv.textContent = "CSV";
      csv.addEventListener("click", () => $("csv-file").click());
      list.appendChild(csv);
      list.dataset.built = wanted;
    }
    list.querySelectorAll("button").forEach(b => b.classList.toggle("selected", b.dataset.dataset === state[key]));
  }

  async function loadThumbs() {
    try {
      const res = await fetch("/api/datasets");
      thumbs = await res.json();
      $("datasets").dataset.built = "";
      buildDatasetButtons();
    } catch (e) { /* the thumbnails are decoration */ }
  }

  async function uploadCsv() {
    const input = $("csv-file"), file = input.files[0];
    input.value = "";
    if (!file) return;
    if (file.size > 1024 * 1024) { dataMessage(`${file.name} is too large (${file.size.toLocaleString()} bytes); the limit is 1 MB.`, true); return; }
    dataMessage(`Reading ${file.name}\u2026`);
    try {
      const data = await api(`/api/sessions/${session}/upload`, null, await file.arrayBuffer());
      applyConfig(data.config);
      dataMessage(`${file.name}: ${data.message}`);
    } catch (e) { dataMessage(`${file.name}: ${e.message}`, true); }
  }

  // a link would save the server's error message as the file (e.g. weights JSON cannot hold after divergence):
  // fetch first, and only a good answer becomes a download
  async function exportFile(event) {
    const link = event.currentTarget;
    event.preventDefault();
    try {
      const res = await fetch(link.getAttribute("href"));
      if (!res.ok) {
        let message = `The server answered ${res.status}.`;
        try { message = (await res.json()).error || message; } catch (e) { /* not JSON */ }
        if (res.status === 410) { sessionEnded(message); return; }
        throw new Error(message);
      }
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = link.getAttribute("download");
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) { showError(e); }
  }

  // --- drawing -----------------------------------------------------------------------------------------------
  function onStructure(st) {
    structure = st;
    stats.structures++;
    history = [];
    NetworkView.build($("network"), st, {
      toggleFeature: key => {
        const on = FEATURE_KEYS.filter(k => state[k]);
        if (on.length === 1 && state[key]) { showError("The network needs at least one input feature."); return; }
        send({[key]: !state[key]});
      },
      changeNeurons: (layer, delta) => {
        const shape = state.networkShape.slice();
        shape[layer] = Math.max(1, Math.min(Math.max(NetworkView.MAX_UI_NEURONS, shape[layer]), shape[layer] + delta));
        send({networkShape: shape});
      },
    });
    redrawPoints();
    drawLegend();
  }

  function redrawPoints() {
    if (!structure) return;
    const sets = [{points: structure.train, stroke: "#fff"}];
    if (state.showTestData) sets.push({points: structure.test, stroke: "#222"});
    Draw.paintPoints($("points-canvas"), sets, structure.mode, structure.domain, 3.5);
  }

  function drawLegend() {
    const box = $("color-legend");
    box.innerHTML = "";
    const item = (color, text) => {
      const span = document.createElement("span"), dot = document.createElement("span");
      dot.className = "dot";
      dot.style.background = color;
      span.appendChild(dot);
      span.appendChild(document.createTextNode(text));
      box.appendChild(span);
    };
    const bar = () => { const b = document.createElement("div"); b.className = "bar"; box.appendChild(b); };
    if (structure.mode === "multiclass") {
      structure.classNames.forEach((n, i) => item(Draw.CLASS_HEX[i % Draw.CLASS_HEX.length], n));
    } else if (structure.mode === "binary") {
      item("#f59322", structure.classNames[0]);
      bar();
      item("#0877bd", structure.classNames[1]);
    } else {
      item("#f59322", "-1");
      bar();
      item("#0877bd", "1");
    }
  }

  function drawOutput(frame) {
    const ctx = $("heatmap-canvas").getContext("2d"), bytes = Draw.decode(frame.output), g = structure.grid;
    if (structure.mode === "multiclass") Draw.paintClasses(ctx, bytes, structure.numClasses, g, state.discretize, 0.25);
    else Draw.paintMap(ctx, bytes, 0, g, state.discretize && structure.mode === "binary", 0.25);
  }

  function onFrame(msg) {
    const frame = msg.frame;
    if (!structure || frame.generation !== structure.generation) return;
    lastFrame = frame;
    for (const h of msg.history) history.push(h);
    if (history.length > 20000) history = history.filter((h, i) => i % 2 === 0 || i === history.length - 1);
    stats.frames++;
    stats.epoch = frame.epoch;
    setPlaying(frame.playing);
    $("epoch-number").textContent = String(frame.epoch).padStart(6, "0").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    $("loss-train").textContent = fmtLoss(frame.trainLoss);
    $("loss-test").textContent = fmtLoss(frame.testLoss);
    drawOutput(frame);
    NetworkView.update(frame, Draw.decode(frame.neurons));
    Draw.paintChart($("loss-chart"), history);
    if (frame.error) showError(frame.error);
  }

  function fmtLoss(v) { return v === null ? "\u2013" : v.toFixed(3); }

  function setPlaying(playing) {
    stats.playing = playing;
    $("play-pause-button").classList.toggle("playing", playing);
    $("play-pause-button").setAttribute("aria-label", playing ? "Pause" : "Play");
  }

  window.addEventListener("pagehide", () => {
    if (session && navigator.sendBeacon) navigator.sendBeacon(`/api/sessions/${session}/close`, "");
  });

  fillSelects();
  start(readHash()).then(loadThumbs).catch(showError);
})();
