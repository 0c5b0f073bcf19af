// neuroflow Playground: the network diagram (feature and neuron heat maps, links by weight) as DOM + SVG.
"use strict";

const NetworkView = (() => {
  const SVG = "http://www.w3.org/2000/svg";
  const LABEL_W = 76, TOP = 50, MAX_UI_LAYERS = 6, MAX_UI_NEURONS = 8;
  let view = null;       // what the last structure built: nodes, links, sizes

  function el(tag, cls, parent) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (parent) parent.appendChild(e);
    return e;
  }

  // Rebuilds the diagram. callbacks: toggleFeature(key), changeNeurons(layer, delta).
  function build(container, st, callbacks) {
    container.innerHTML = "";
    const allFeatures = Object.keys(st.featureLabels);
    const hidden = st.layers.slice(1, -1), outputs = st.layers[st.layers.length - 1];
    const biggest = Math.max(allFeatures.length, outputs, ...hidden, 1);
    const size = biggest <= 8 ? 32 : Math.max(9, Math.floor(330 / biggest) - 5);
    const gap = biggest <= 8 ? 12 : Math.max(3, Math.floor(size / 5));
    const width = Math.max(520, container.clientWidth || 560);
    const cols = hidden.length + 1;
    const colGap = Math.min(220, (width - LABEL_W - size - 40) / cols);
    const colX = c => LABEL_W + c * colGap;            // column 0: features, 1..: hidden layers, last: output
    const rowY = r => TOP + r * (size + gap);
    const height = TOP + biggest * (size + gap) + 10;
    container.style.height = height + "px";

    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "links");
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    container.appendChild(svg);

    // column 0: every feature; only the active ones feed the network
    const inputs = [];
    allFeatures.forEach((key, r) => {
      const active = st.features.includes(key);
      const node = makeNode(container, colX(0), rowY(r), size, st.neuronGrid, "feature" + (active ? "" : " inactive"));
      node.div.title = active ? `${st.featureLabels[key]} (click to remove)` : `${st.featureLabels[key]} (click to add)`;
      node.div.dataset.feature = key;
      node.div.addEventListener("click", () => callbacks.toggleFeature(key));
      const label = el("div", "node-label", container);
      label.textContent = st.featureLabels[key];
      label.style.left = "0px";
      label.style.width = (LABEL_W - 10) + "px";
      label.style.top = (rowY(r) + size / 2 - 8) + "px";
      Draw.paintMap(node.ctx, Draw.decode(st.featureMaps[key]), 0, st.neuronGrid, false, 0);
      if (active) inputs.push({x: colX(0), y: rowY(r)});
    });

    // hidden layers and the output layer
    const columns = [inputs];
    const layerSizes = hidden.concat([outputs]);
    layerSizes.forEach((n, l) => {
      const col = [];
      const isOutput = l === layerSizes.length - 1;
      for (let r = 0; r < n; r++) {
        const node = makeNode(container, colX(l + 1), rowY(r), size, st.neuronGrid, isOutput ? "output" : "neuron");
        node.bias = el("div", "bias", node.div);
        if (isOutput && st.mode === "multiclass") node.div.title = `Output: P(${st.classNames[r]})`;
        else node.div.title = isOutput ? "Output" : `Layer ${l + 1}, neuron ${r + 1}`;
        col.push(Object.assign(node, {x: colX(l + 1), y: rowY(r)}));
      }
      columns.push(col);
      if (!isOutput) addLayerControls(container, l, n, colX(l + 1) + size / 2, callbacks);
      else {
        const label = el("div", "layer-controls", container);
        label.textContent = "output";
        label.style.left = (colX(l + 1) + size / 2 - 20) + "px";
        label.style.width = "40px";
        label.style.top = "26px";
      }
    });

    // links: a cubic curve from each node's right edge to the next column's left edge
    const links = [];
    for (let l = 1; l < columns.length; l++) {
      const layerLinks = [];
      columns[l - 1].forEach((a, i) => {
        const row = [];
        columns[l].forEach((b, j) => {
          const p = document.createElementNS(SVG, "path");
          const x1 = a.x + size, y1 = a.y + size / 2, x2 = b.x, y2 = b.y + size / 2, mx = (x1 + x2) / 2;
          p.setAttribute("d", `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`);
          p.setAttribute("stroke", "#ccc");
          const title = document.createElementNS(SVG, "title");
          p.appendChild(title);
          svg.appendChild(p);
          row.push({path: p, title, from: i, to: j});
        });
        layerLinks.push(row);
      });
      links.push(layerLinks);
    }
    view = {st, columns, links, size, lastTitles: 0};
  }

  function makeNode(container, x, y, size, grid, cls) {
    const div = el("div", "node " + cls, container);
    div.style.left = x + "px";
    div.style.top = y + "px";
    div.style.width = size + "px";
    div.style.height = size + "px";
    const canvas = el("canvas", "", div);
    canvas.width = grid;
    canvas.height = grid;
    return {div, ctx: canvas.getContext("2d")};
  }

  function addLayerControls(container, layer, n, cx, callbacks) {
    const box = el("div", "layer-controls", container);
    const buttons = el("div", "buttons", box);
    const plus = el("button", "round-button", buttons);
    plus.textContent = "+";
    plus.title = "Add a neuron";
    plus.disabled = n >= MAX_UI_NEURONS;
    plus.addEventListener("click", () => callbacks.changeNeurons(layer, +1));
    const minus = el("button", "round-button", buttons);
    minus.textContent = "\u2212";
    minus.title = "Remove a neuron";
    minus.disabled = n <= 1;
    minus.addEventListener("click", () => callbacks.changeNeurons(layer, -1));
    const label = el("div", "", box);
    label.textContent = n === 1 ? "1 neuron" : `${n} neurons`;
    box.style.left = (cx - 32) + "px";
    box.style.width = "64px";
    box.style.top = "0px";
    box.dataset.layer = layer;
  }

  // Paints one frame: every neuron's map, bias squares, link colours and widths.
  function update(frame, bytes) {
    if (!view) return;
    const {st, columns, links} = view, cells = st.neuronGrid * st.neuronGrid;
    let offset = 0;
    for (let l = 1; l < columns.length; l++) {
      const isOutput = l === columns.length - 1;
      columns[l].forEach((node, r) => {
        if (isOutput && st.mode === "multiclass") Draw.paintClassNode(node.ctx, bytes, offset, st.neuronGrid, r);
        else Draw.paintMap(node.ctx, bytes, offset, st.neuronGrid, false, 0);
        offset += cells;
        const b = frame.biases[l - 1][r];
        node.bias.style.background = Draw.valueColor(b);
        node.bias.title = `bias ${b}`;
      });
    }
    const titles = performance.now() - view.lastTitles > 500;   // hover texts need not change 30 times a second
    if (titles) view.lastTitles = performance.now();
    links.forEach((layer, l) => {
      const w = frame.weights[l];
      layer.forEach(row => row.forEach(link => {
        const v = w[link.from][link.to];
        link.path.setAttribute("stroke", Draw.valueColor(Math.max(-1, Math.min(1, v))));
        link.path.setAttribute("stroke-width", Math.min(10, 1 + Math.abs(v) * 1.8).toFixed(2));
        if (titles) link.title.textContent = `weight ${v}`;
      }));
    });
  }

  return {build, update, MAX_UI_LAYERS, MAX_UI_NEURONS};
})();
