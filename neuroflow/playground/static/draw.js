// neuroflow Playground: colours, heat maps, data points and the loss chart (plain canvas, no libraries).
"use strict";

const Draw = (() => {
  const ORANGE = [245, 147, 34], GREY = [232, 234, 235], BLUE = [8, 119, 189];
  const CLASS_COLORS = [[245, 147, 34], [8, 119, 189], [44, 162, 95], [136, 86, 167], [227, 74, 51], [212, 177, 6]];
  const CLASS_HEX = CLASS_COLORS.map(c => "#" + c.map(v => v.toString(16).padStart(2, "0")).join(""));

  function mix(a, b, t) { return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]; }

  // Byte 0..255 (value -1..1) -> colour, precomputed: orange, grey, blue as in TensorFlow Playground.
  const DIVERGING = [];
  for (let q = 0; q < 256; q++) {
    const v = q / 127.5 - 1;
    DIVERGING.push(v < 0 ? mix(GREY, ORANGE, -v) : mix(GREY, BLUE, v));
  }

  function valueColor(v) {             // -1..1 -> css colour
    const c = v < 0 ? mix(GREY, ORANGE, Math.min(1, -v)) : mix(GREY, BLUE, Math.min(1, v));
    return `rgb(${c[0] | 0},${c[1] | 0},${c[2] | 0})`;
  }

  function decode(b64) {
    const s = atob(b64), out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  // One-channel map (bytes) -> canvas pixels. `fade` lightens towards white so data points stand out.
  function paintMap(ctx, bytes, offset, size, discretize, fade) {
    const img = ctx.createImageData(size, size), d = img.data;
    for (let i = 0; i < size * size; i++) {
      let q = bytes[offset + i];
      if (discretize) q = q >= 128 ? 255 : 0;
      const c = DIVERGING[q];
      d[4 * i] = c[0] + (255 - c[0]) * fade;
      d[4 * i + 1] = c[1] + (255 - c[1]) * fade;
      d[4 * i + 2] = c[2] + (255 - c[2]) * fade;
      d[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  // K class-probability maps (bytes of 2p-1, class-major) -> the winning class's colour, by confidence.
  function paintClasses(ctx, bytes, k, size, discretize, fade) {
    const img = ctx.createImageData(size, size), d = img.data, n = size * size;
    for (let i = 0; i < n; i++) {
      let best = 0, bestP = -1;
      for (let c = 0; c < k; c++) {
        const p = bytes[c * n + i] / 255;
        if (p > bestP) { bestP = p; best = c; }
      }
      const t = discretize ? 0.85 : Math.max(0, (bestP - 1 / k) / (1 - 1 / k));
      const c = mix(GREY, CLASS_COLORS[best % CLASS_COLORS.length], t);
      d[4 * i] = c[0] + (255 - c[0]) * fade;
      d[4 * i + 1] = c[1] + (255 - c[1]) * fade;
      d[4 * i + 2] = c[2] + (255 - c[2]) * fade;
      d[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  // A single class's probability map for an output node: grey -> the class colour.
  function paintClassNode(ctx, bytes, offset, size, cls) {
    const img = ctx.createImageData(size, size), d = img.data, col = CLASS_COLORS[cls % CLASS_COLORS.length];
    for (let i = 0; i < size * size; i++) {
      const c = mix(GREY, col, bytes[offset + i] / 255);
      d[4 * i] = c[0]; d[4 * i + 1] = c[1]; d[4 * i + 2] = c[2]; d[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  function pointColor(label, mode) {
    if (mode === "regression") return valueColor(label);
    if (mode === "binary") return label ? "rgb(8,119,189)" : "rgb(245,147,34)";
    return CLASS_HEX[label % CLASS_HEX.length];
  }

  // Data points on a canvas covering [-domain, domain]^2; test points get a dark outline.
  function paintPoints(canvas, sets, mode, domain, radius) {
    const dpr = window.devicePixelRatio || 1, w = canvas.clientWidth || canvas.width, h = canvas.clientHeight || canvas.height;
    if (canvas.width !== Math.round(w * dpr)) { canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr); }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const sx = w / (2 * domain), sy = h / (2 * domain);
    for (const {points, stroke} of sets) {
      ctx.strokeStyle = stroke;
      ctx.lineWidth = 1;
      for (const [x, y, label] of points) {
        if (Math.abs(x) > domain || Math.abs(y) > domain) continue;
        ctx.beginPath();
        ctx.arc((x + domain) * sx, (domain - y) * sy, radius, 0, 2 * Math.PI);
        ctx.fillStyle = pointColor(label, mode);
        ctx.fill();
        ctx.stroke();
      }
    }
  }

  // Train (dark) and test (grey) loss over epochs; long runs are thinned to the canvas width.
  function paintChart(canvas, history) {
    const dpr = window.devicePixelRatio || 1, w = canvas.clientWidth || 300, h = canvas.clientHeight || 70;
    if (canvas.width !== Math.round(w * dpr)) { canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr); }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = "#f4f4f4";
    ctx.fillRect(0, 0, w, h);
    if (history.length < 1) return;
    const step = Math.max(1, Math.floor(history.length / w));
    let max = 0;
    for (const [, a, b] of history) { if (a !== null) max = Math.max(max, a); if (b !== null) max = Math.max(max, b); }
    max = max || 1;
    const last = history[history.length - 1][0], first = history[0][0], span = Math.max(1, last - first);
    const x = e => (e - first) / span * (w - 4) + 2, y = v => h - 3 - v / max * (h - 8);
    for (const [col, color, width] of [[2, "#999", 1.5], [1, "#222", 1.5]]) {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      let started = false;
      for (let i = 0; i < history.length; i += step) {
        const v = history[i][col];
        if (v === null) { started = false; continue; }
        if (!started) { ctx.moveTo(x(history[i][0]), y(v)); started = true; } else ctx.lineTo(x(history[i][0]), y(v));
      }
      const tail = history[history.length - 1];
      if (tail[col] !== null && started) ctx.lineTo(x(tail[0]), y(tail[col]));
      ctx.stroke();
    }
  }

  // A dataset thumbnail: its points on a white square.
  function paintThumb(canvas, points, mode) {
    const ctx = canvas.getContext("2d"), s = canvas.width;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, s, s);
    for (const [x, y, label] of points) {
      ctx.fillStyle = pointColor(label, mode);
      ctx.fillRect((x + 6) / 12 * s - 1.5, (6 - y) / 12 * s - 1.5, 3, 3);
    }
  }

  return {decode, paintMap, paintClasses, paintClassNode, paintPoints, paintChart, paintThumb, valueColor,
          pointColor, CLASS_HEX};
})();
