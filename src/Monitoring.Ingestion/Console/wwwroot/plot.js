'use strict';
// A small SVG line chart: stored readings as lines, the event's context readings as dots, the limit as a
// dashed line and the raise as a vertical marker. No library: the machine reaches no CDN and needs no build.
const Plot = (function () {
  const NS = 'http://www.w3.org/2000/svg';
  const COLORS = ['#2563eb', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be123c'];
  const W = 820, H = 280, L = 56, R = 16, T = 16, B = 40;

  function node(tag, attrs, text) {
    const n = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function niceTicks(min, max, count) {
    const span = max - min || Math.abs(max) || 1;
    const step0 = span / count;
    const mag = Math.pow(10, Math.floor(Math.log10(step0)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) || 10 * mag;
    const ticks = [];
    for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step);
    return ticks;
  }

  function fmt(v) {
    const a = Math.abs(v);
    return a !== 0 && (a >= 1e5 || a < 1e-2) ? v.toExponential(1) : String(Math.round(v * 100) / 100);
  }

  function hhmm(ms) {
    const d = new Date(ms);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  }

  /** Returns false when there is nothing to draw. */
  function draw(container, series, options) {
    const all = series.flatMap((s) => s.points.concat(s.context));
    if (all.length === 0) return false;
    let tMin = Math.min(...all.map((p) => p.t)), tMax = Math.max(...all.map((p) => p.t));
    if (Number.isFinite(options.raisedAt)) { tMin = Math.min(tMin, options.raisedAt); tMax = Math.max(tMax, options.raisedAt); }
    if (tMax - tMin < 60000) { tMin -= 30000; tMax += 30000; }
    const values = all.map((p) => p.v);
    if (typeof options.limit === 'number') values.push(options.limit);
    let vMin = Math.min(...values), vMax = Math.max(...values);
    const pad = (vMax - vMin) * 0.08 || Math.abs(vMax) * 0.1 || 1;
    vMin -= pad; vMax += pad;
    const x = (tm) => L + ((tm - tMin) / (tMax - tMin)) * (W - L - R);
    const y = (v) => T + (1 - (v - vMin) / (vMax - vMin)) * (H - T - B);

    const svg = node('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': series.map((s) => s.name).join(', ') });
    for (const v of niceTicks(vMin, vMax, 5)) {
      svg.append(node('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }));
      svg.append(node('text', { x: L - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, fmt(v)));
    }
    const minute = 60000;
    const tStep = [1, 2, 5, 10, 15, 30, 60, 120, 360].map((m) => m * minute).find((s) => (tMax - tMin) / s <= 8) || 720 * minute;
    for (let tm = Math.ceil(tMin / tStep) * tStep; tm <= tMax; tm += tStep) {
      svg.append(node('line', { x1: x(tm), x2: x(tm), y1: T, y2: H - B, class: 'grid' }));
      svg.append(node('text', { x: x(tm), y: H - B + 16, class: 'tick', 'text-anchor': 'middle' }, hhmm(tm)));
    }
    svg.append(node('line', { x1: L, x2: L, y1: T, y2: H - B, class: 'axis' }));
    svg.append(node('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis' }));
    if (options.unit) svg.append(node('text', { x: 4, y: T + 4, class: 'tick' }, options.unit));

    if (typeof options.limit === 'number') {
      svg.append(node('line', { x1: L, x2: W - R, y1: y(options.limit), y2: y(options.limit), class: 'limit' }));
      svg.append(node('text', { x: W - R - 4, y: y(options.limit) - 5, class: 'limit-label', 'text-anchor': 'end' }, `${options.labels.limit} ${fmt(options.limit)}`));
    }
    if (Number.isFinite(options.raisedAt)) {
      svg.append(node('line', { x1: x(options.raisedAt), x2: x(options.raisedAt), y1: T, y2: H - B, class: 'raised' }));
      const nearRight = x(options.raisedAt) > W * 0.7;
      svg.append(node('text', { x: x(options.raisedAt) + (nearRight ? -4 : 4), y: T + 10, class: 'raised-label', 'text-anchor': nearRight ? 'end' : 'start' }, `${options.labels.raised} ${hhmm(options.raisedAt)}`));
    }

    series.forEach((s, i) => {
      const color = COLORS[i % COLORS.length];
      const pts = s.points.slice().sort((a, b) => a.t - b.t);
      if (pts.length > 1) svg.append(node('polyline', { points: pts.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' '), class: 'series', stroke: color, 'data-series': s.name }));
      else if (pts.length === 1) svg.append(node('circle', { cx: x(pts[0].t), cy: y(pts[0].v), r: 3, fill: color }));
      for (const p of s.context) svg.append(node('circle', { cx: x(p.t), cy: y(p.v), r: 2.6, class: 'context', stroke: color, 'data-context': s.name }));
    });

    const legend = document.createElement('div');
    legend.className = 'legend';
    series.forEach((s, i) => {
      const item = document.createElement('span');
      item.style.setProperty('--c', COLORS[i % COLORS.length]);
      item.textContent = `${s.name} (${s.points.length} + ${s.context.length})`;
      legend.append(item);
    });
    container.replaceChildren(svg, legend);
    return true;
  }

  return { draw };
})();
