/* The gradient-flow explorer (docs/explore.md): draws the executed runs of snippets/explore_grid.py.
 * Plain SVG, no library; the selection lives in the page's query string (?a=...&b=...). */
(function () {
  "use strict";
  var root = document.getElementById("gradient-explorer");
  if (!root) return;

  var OPTIONS = {
    activation: [["sigmoid", "sigmoid"], ["tanh", "tanh"], ["relu", "ReLU"], ["leaky_relu", "leaky ReLU (slope 0.2)"],
      ["elu", "ELU"], ["selu", "SELU"], ["gelu", "GELU"], ["silu", "SiLU (swish)"]],
    init: [["random_normal", "RandomNormal(stddev=0.05)"], ["glorot_uniform", "GlorotUniform"], ["he_normal", "HeNormal"],
      ["lecun_normal", "LecunNormal"], ["orthogonal", "Orthogonal"], ["standard_normal", "RandomNormal(stddev=1): N(0, 1)"]],
    depth: [["5", "5"], ["10", "10"], ["20", "20"], ["50", "50"]],
    norm: [["none", "none"], ["batch", "BatchNormalization"], ["layer", "LayerNormalization"]]
  };
  var FIELDS = ["activation", "init", "depth", "norm", "residual"];
  var LABELS = {activation: "Activation", init: "Initialiser", depth: "Hidden layers", norm: "Normalisation"};
  var DEFAULTS = {a: "sigmoid.glorot_uniform.20.none.off", b: "relu.he_normal.20.none.off"};
  var QUANTITIES = [
    ["signal", "Backward signal \u2016\u2202L/\u2202h\u2097\u2016", "backward signal"],
    ["kernel", "Kernel gradient \u2016\u2202L/\u2202W\u2097\u2016", "kernel gradient"],
    ["rms", "Activation rms of h\u2097", "activation rms"]
  ];
  var CSS = [
    ".gx{--gx-a:#3949ab;--gx-b:#c43e00;margin:1em 0}",
    "[data-md-color-scheme=slate] .gx{--gx-a:#9fa8ff;--gx-b:#ffab66}",
    ".gx fieldset{border:1px solid var(--md-default-fg-color--lighter);border-radius:.2rem;margin:0 0 .8em;padding:.4em .8em .8em}",
    ".gx legend{font-weight:700;padding:0 .3em}",
    ".gx-fields{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.5em 1em}",
    ".gx-field label{display:block;font-size:.75rem}",
    ".gx select{width:100%;font:inherit;font-size:.75rem;padding:.2em;color:var(--md-default-fg-color);background:var(--md-default-bg-color);border:1px solid var(--md-default-fg-color--light);border-radius:.1rem}",
    ".gx-check{display:flex;align-items:center;gap:.4em;font-size:.75rem}",
    ".gx input[type=checkbox]{width:1.1em;height:1.1em;accent-color:var(--gx-a)}",
    ".gx-swatch-a{color:var(--gx-a)}.gx-swatch-b{color:var(--gx-b)}",
    ".gx-readout{font-size:.8rem;min-height:3em}",
    ".gx-readout>span{display:block;margin-bottom:.4em}",
    ".gx-legend{display:flex;flex-wrap:wrap;gap:.3em 1.2em;font-size:.7rem;margin:.3em 0}",
    ".gx-legend svg{vertical-align:middle;margin-right:.3em}",
    ".gx-plot svg{display:block;width:100%;height:auto;overflow:visible}",
    ".gx-plot text{fill:var(--md-default-fg-color);font-size:12px;font-family:inherit}",
    ".gx-table table{font-size:.7rem}"
  ].join("\n");

  var state = {a: parse(DEFAULTS.a), b: parse(DEFAULTS.b), compare: false};
  var data = null;

  function parse(text) {
    var parts = String(text || "").split(".");
    var config = {activation: parts[0], init: parts[1], depth: parts[2], norm: parts[3], residual: parts[4]};
    var valid = FIELDS.every(function (field) {
      if (field === "residual") return config.residual === "on" || config.residual === "off";
      return OPTIONS[field].some(function (option) { return option[0] === config[field]; });
    });
    return valid ? config : null;
  }

  function serialise(config) {
    return FIELDS.map(function (field) { return config[field]; }).join(".");
  }

  function readLocation() {
    var params = new URLSearchParams(window.location.search);
    state.a = parse(params.get("a")) || parse(DEFAULTS.a);
    var b = parse(params.get("b"));
    state.compare = Boolean(b);
    state.b = b || parse(DEFAULTS.b);
  }

  function writeLocation() {
    var query = "?a=" + serialise(state.a) + (state.compare ? "&b=" + serialise(state.b) : "");
    if (window.location.search !== query) {
      window.history.replaceState(null, "", window.location.pathname + query + window.location.hash);
    }
  }

  // --- Controls -----------------------------------------------------------------------------
  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function fieldset(which, title) {
    var fields = element("div", {"class": "gx-fields"});
    ["activation", "init", "depth", "norm"].forEach(function (field) {
      var id = "gx-" + which + "-" + field;
      var select = element("select", {id: id, "data-config": which, "data-field": field},
        OPTIONS[field].map(function (option) { return element("option", {value: option[0]}, [option[1]]); }));
      fields.appendChild(element("div", {"class": "gx-field"}, [element("label", {"for": id}, [LABELS[field]]), select]));
    });
    var checkId = "gx-" + which + "-residual";
    fields.appendChild(element("div", {"class": "gx-field gx-check"}, [
      element("input", {type: "checkbox", id: checkId, "data-config": which, "data-field": "residual"}),
      element("label", {"for": checkId}, ["Residual connections h \u2190 h + f(h)"])
    ]));
    return element("fieldset", {id: "gx-" + which}, [
      element("legend", {}, [element("span", {"class": "gx-swatch-" + which, "aria-hidden": "true"}, ["\u25a0 "]), title]),
      fields
    ]);
  }

  function buildControls() {
    var style = element("style", {}, [CSS]);
    var compare = element("div", {"class": "gx-check"}, [
      element("input", {type: "checkbox", id: "gx-compare"}),
      element("label", {"for": "gx-compare"}, ["Compare with a second configuration"])
    ]);
    var form = element("form", {"class": "gx-controls", "aria-label": "Network to show"}, [
      fieldset("a", "Configuration A"), compare, fieldset("b", "Configuration B")
    ]);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.id === "gx-compare") {
        state.compare = target.checked;
      } else {
        var config = state[target.getAttribute("data-config")];
        var field = target.getAttribute("data-field");
        config[field] = field === "residual" ? (target.checked ? "on" : "off") : target.value;
      }
      writeLocation();
      render();
    });
    root.textContent = "";
    root.className = "gx";
    root.appendChild(style);
    root.appendChild(form);
    root.appendChild(element("p", {"class": "gx-readout", id: "gx-readout", "aria-live": "polite"}));
    root.appendChild(element("div", {"class": "gx-legend", id: "gx-legend"}));
    root.appendChild(element("div", {"class": "gx-plot", id: "gx-plot"}));
    root.appendChild(element("details", {}, [
      element("summary", {}, ["The plotted values as a table"]), element("div", {id: "gx-table", "class": "gx-table"})
    ]));
  }

  function syncControls() {
    ["a", "b"].forEach(function (which) {
      FIELDS.forEach(function (field) {
        var control = document.getElementById("gx-" + which + "-" + field);
        if (field === "residual") control.checked = state[which].residual === "on";
        else control.value = state[which][field];
      });
    });
    document.getElementById("gx-compare").checked = state.compare;
    document.getElementById("gx-b").hidden = !state.compare;
  }

  // --- Data ---------------------------------------------------------------------------------
  function key(config) {
    return [config.activation, config.init, config.depth, config.norm, config.residual].join("/");
  }

  function decode(deltas) {
    var previous = 0;
    return deltas.map(function (delta) {
      if (delta === null) return null;
      previous += delta;
      return previous * data.log_step;
    });
  }

  // Per layer: the seeds' log10 values, their mean (the geometric mean), lowest and highest.
  function series(config) {
    var run = data.runs[key(config)];
    var out = {};
    QUANTITIES.forEach(function (quantity) {
      var seeds = run[quantity[0]].map(decode);
      var layers = seeds[0].length;
      var summary = [];
      for (var l = 0; l < layers; l++) {
        var values = seeds.map(function (s) { return s[l]; }).filter(function (v) { return v !== null; });
        summary.push(values.length === seeds.length ? {
          mean: values.reduce(function (a, b) { return a + b; }, 0) / values.length,
          low: Math.min.apply(null, values), high: Math.max.apply(null, values)
        } : null);
      }
      out[quantity[0]] = {seeds: seeds, summary: summary};
    });
    out.theory = theory(config, out.signal.summary);
    return out;
  }

  // Mean field where it applies (no normalisation, no skips); BN's per-layer estimate without skips.
  function theory(config, signal) {
    var depth = Number(config.depth);
    var anchor = signal[depth - 1];
    if (config.residual !== "off" || !anchor) return null;
    var perLayer;
    if (config.norm === "none") {
      var field = data.mean_field[config.activation + "/" + config.init];
      perLayer = field.chi.slice(0, depth).map(function (chi) { return 0.5 * Math.log10(chi); });
      var rms = field.rms.slice(0, depth).map(function (v) { return Math.log10(v); });
    } else if (config.norm === "batch") {
      var factor = Math.log10(data.batchnorm_factor[config.activation]);
      perLayer = signal.map(function () { return factor; });
    } else {
      return null;
    }
    var backward = new Array(depth);
    backward[depth - 1] = anchor.mean;
    for (var l = depth - 2; l >= 0; l--) backward[l] = backward[l + 1] + perLayer[l + 1];
    return {signal: backward, rms: rms || null, kind: config.norm === "none" ? "mean field" : "BN estimate"};
  }

  // --- Words --------------------------------------------------------------------------------
  var SUPERSCRIPT = {"-": "\u207b", "0": "\u2070", "1": "\u00b9", "2": "\u00b2", "3": "\u00b3", "4": "\u2074",
    "5": "\u2075", "6": "\u2076", "7": "\u2077", "8": "\u2078", "9": "\u2079"};

  function number(log10) {
    if (log10 > -1 && log10 < 2) {
      var value = Math.pow(10, log10);
      return value.toPrecision(2).replace(/\.0$/, "");
    }
    var exponent = Math.floor(log10);
    var mantissa = Math.round(Math.pow(10, log10 - exponent));
    if (mantissa === 10) { mantissa = 1; exponent += 1; }
    var power = "10" + String(exponent).split("").map(function (c) { return SUPERSCRIPT[c]; }).join("");
    return (mantissa === 1 ? "" : mantissa + " \u00d7 ") + power;
  }

  function describe(config) {
    var init = OPTIONS.init.filter(function (o) { return o[0] === config.init; })[0][1];
    var activation = OPTIONS.activation.filter(function (o) { return o[0] === config.activation; })[0][1];
    var norm = config.norm === "none" ? "no normalisation" : (config.norm === "batch" ? "BatchNormalization" : "LayerNormalization");
    return activation + ", " + init + ", " + config.depth + " layers, " + norm + ", " +
      (config.residual === "on" ? "residual connections" : "no skips");
  }

  function explanation(config) {
    var relu = config.activation === "relu" || config.activation === "leaky_relu";
    var saturating = config.activation === "sigmoid" || config.activation === "tanh";
    if (config.residual === "on") return ["../remedies/residual-connections/", "Residual connections"];
    if (config.norm !== "none") return ["../remedies/normalisation/", "Normalisation layers"];
    if (config.init === "random_normal" || (config.init === "standard_normal" && saturating)) {
      return ["../vanishing/bad-initialisation/", "Bad initialisation"];
    }
    if (config.init === "standard_normal") return ["../exploding/large-initialisation/", "Large initialisation"];
    if (saturating) return ["../vanishing/depth-sweep/", "Depth makes it worse"];
    if (relu) return ["../remedies/initialisation/", "Weight initialisation"];
    return ["../remedies/activations/", "Activation functions"];
  }

  function readout(name, config, curves) {
    var depth = Number(config.depth);
    var sentence = document.createElement("span");
    var seeds = curves.signal.seeds;
    var ratios = seeds.map(function (s) { return s[0] !== null && s[depth - 1] !== null ? s[0] - s[depth - 1] : null; });
    var text = name + " (" + describe(config) + "): ";
    var known = ratios.filter(function (r) { return r !== null; });
    if (known.length === seeds.length) {
      var mean = known.reduce(function (a, b) { return a + b; }, 0) / known.length;
      var low = Math.min.apply(null, known), high = Math.max.apply(null, known);
      text += "the first layer receives " + number(mean) + (mean < 0 ? " of" : " times") +
        " the last layer's backward signal (seeds 0\u20132: " + number(low) + " to " + number(high) + ")";
      if (curves.theory) {
        text += "; the " + curves.theory.kind + " predicts " + number(curves.theory.signal[0] - curves.theory.signal[depth - 1]);
      }
      text += ". ";
    } else {
      // A value float32 could not hold: 0 after underflow (tiny neighbours) or inf/NaN after overflow.
      var lost = [], gaps = [];
      seeds.forEach(function (s, i) {
        var layers = [];
        s.forEach(function (v, l) { if (v === null || curves.rms.seeds[i][l] === null) layers.push(l + 1); });
        if (layers.length) { lost.push(i); gaps = gaps.concat(layers); }
      });
      var finite = [];
      seeds.forEach(function (s) { s.forEach(function (v) { if (v !== null) finite.push(v); }); });
      var underflow = finite.length && Math.min.apply(null, finite) < -25;
      text += "in seed" + (lost.length > 1 ? "s " : " ") + lost.join(", ") + " float32 " + (underflow ?
        "rounded the backward signal to 0 in layers 1 to " + Math.max.apply(null, gaps) :
        "overflowed to infinity or NaN from layer " + Math.min.apply(null, gaps) + " on") + " (the gaps in the curves)";
      if (curves.theory) {
        text += "; the " + curves.theory.kind + " predicts " + number(curves.theory.signal[0] - curves.theory.signal[depth - 1]) +
          " of the last layer's backward signal at the first layer";
      }
      text += ". ";
    }
    sentence.appendChild(document.createTextNode(text + "Why: "));
    var link = explanation(config);
    sentence.appendChild(element("a", {href: link[0]}, [link[1]]));
    sentence.appendChild(document.createTextNode(". "));
    return sentence;
  }

  // --- Plot ---------------------------------------------------------------------------------
  var SVG = "http://www.w3.org/2000/svg";

  function svg(tag, attributes, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function path(points) {
    var d = "", pen = false;
    points.forEach(function (p) {
      if (p === null) { pen = false; return; }
      d += (pen ? "L" : "M") + p[0].toFixed(1) + " " + p[1].toFixed(1);
      pen = true;
    });
    return d;
  }

  function panel(quantity, shown, width) {
    var height = 210, left = 52, right = 12, top = 24, bottom = 34;
    var maxDepth = Math.max.apply(null, shown.map(function (s) { return Number(s.config.depth); }));
    var values = [];
    shown.forEach(function (s) {
      s.curves[quantity[0]].summary.forEach(function (v) { if (v) values.push(v.low, v.high); });
      var line = s.curves.theory && s.curves.theory[quantity[0]];
      if (line) line.forEach(function (v) { values.push(v); });
    });
    var lowest = values.length ? Math.floor(Math.min.apply(null, values)) : -1;
    var highest = values.length ? Math.ceil(Math.max.apply(null, values)) : 1;
    if (highest - lowest < 2) { lowest -= 1; highest += 1; }
    var x = function (layer) { return left + (maxDepth === 1 ? 0 : (layer - 1) / (maxDepth - 1)) * (width - left - right); };
    var y = function (log10) { return top + (highest - log10) / (highest - lowest) * (height - top - bottom); };
    var root = svg("svg", {viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img",
      "aria-label": quantity[1] + " per layer, log scale; the values are in the table below"});
    root.appendChild(svg("text", {x: left, y: 15, "font-weight": "700"}, quantity[1] + " (log scale)"));
    var step = Math.max(1, Math.ceil((highest - lowest) / 5));
    for (var t = Math.ceil(lowest / step) * step; t <= highest; t += step) {
      root.appendChild(svg("line", {x1: left, x2: width - right, y1: y(t), y2: y(t), stroke: "var(--md-default-fg-color--lightest)"}));
      var label = svg("text", {x: left - 6, y: y(t) + 4, "text-anchor": "end"}, "10");
      label.appendChild(svg("tspan", {dy: -6, "font-size": "9px"}, String(t).replace("-", "\u2212")));
      root.appendChild(label);
    }
    var ticks = maxDepth <= 10 ? 1 : (maxDepth <= 20 ? 2 : 5);
    for (var layer = 1; layer <= maxDepth; layer++) {
      if (layer !== 1 && layer % ticks) continue;
      root.appendChild(svg("text", {x: x(layer), y: height - bottom + 15, "text-anchor": "middle"}, String(layer)));
    }
    root.appendChild(svg("text", {x: (left + width - right) / 2, y: height - 4, "text-anchor": "middle"}, "layer l (1 = next to the input)"));
    root.appendChild(svg("line", {x1: left, x2: left, y1: top, y2: height - bottom, stroke: "var(--md-default-fg-color--light)"}));
    root.appendChild(svg("line", {x1: left, x2: width - right, y1: height - bottom, y2: height - bottom, stroke: "var(--md-default-fg-color--light)"}));
    shown.forEach(function (s) {
      var colour = "var(--gx-" + s.which + ")";
      var summary = s.curves[quantity[0]].summary;
      // The band: one polygon per run of layers where every seed has a value.
      var run = [];
      var flush = function () {
        if (run.length) {
          var outline = run.map(function (p) { return [x(p.layer), y(p.v.high)]; })
            .concat(run.slice().reverse().map(function (p) { return [x(p.layer), y(p.v.low)]; }));
          root.appendChild(svg("path", {d: path(outline) + "Z", fill: colour, "fill-opacity": 0.22, stroke: "none", "class": "gx-band-" + s.which}));
        }
        run = [];
      };
      summary.forEach(function (v, i) { if (v) run.push({layer: i + 1, v: v}); else flush(); });
      flush();
      root.appendChild(svg("path", {d: path(summary.map(function (v, i) { return v ? [x(i + 1), y(v.mean)] : null; })),
        fill: "none", stroke: colour, "stroke-width": 2, "class": "gx-line-" + s.which}));
      if (Number(s.config.depth) <= 20) {
        summary.forEach(function (v, i) {
          if (v) root.appendChild(svg("circle", {cx: x(i + 1), cy: y(v.mean), r: 2.5, fill: colour}));
        });
      }
      var line = s.curves.theory && s.curves.theory[quantity[0]];
      if (line) {
        root.appendChild(svg("path", {d: path(line.map(function (v, i) { return [x(i + 1), y(v)]; })), fill: "none",
          stroke: colour, "stroke-width": 1.5, "stroke-dasharray": "6 4", "class": "gx-theory-" + s.which}));
      }
    });
    return root;
  }

  function legend(shown) {
    var box = document.getElementById("gx-legend");
    box.textContent = "";
    var entry = function (colour, kind, text) {
      var icon = svg("svg", {width: 26, height: 12, "aria-hidden": "true"});
      if (kind === "band") icon.appendChild(svg("rect", {x: 0, y: 1, width: 26, height: 10, fill: colour, "fill-opacity": 0.22}));
      else icon.appendChild(svg("line", {x1: 0, x2: 26, y1: 6, y2: 6, stroke: colour, "stroke-width": 2,
        "stroke-dasharray": kind === "theory" ? "6 4" : "none"}));
      box.appendChild(element("span", {}, [icon, text]));
    };
    shown.forEach(function (s) {
      var colour = "var(--gx-" + s.which + ")";
      entry(colour, "line", s.which.toUpperCase() + ": geometric mean of seeds 0\u20132");
      entry(colour, "band", s.which.toUpperCase() + ": range over the seeds");
      if (s.curves.theory) entry(colour, "theory", s.which.toUpperCase() + ": " + s.curves.theory.kind);
    });
  }

  function table(shown) {
    var cells = function (v) { return v ? number(v.mean) + " (" + number(v.low) + " to " + number(v.high) + ")" : "float32 could not hold it"; };
    var head = [element("th", {scope: "col"}, ["Layer"])];
    shown.forEach(function (s) {
      QUANTITIES.forEach(function (q) { head.push(element("th", {scope: "col"}, [s.which.toUpperCase() + ": " + q[2]])); });
      if (s.curves.theory) head.push(element("th", {scope: "col"}, [s.which.toUpperCase() + ": " + s.curves.theory.kind + ", backward signal"]));
    });
    var rows = [element("tr", {}, head)];
    var maxDepth = Math.max.apply(null, shown.map(function (s) { return Number(s.config.depth); }));
    for (var l = 0; l < maxDepth; l++) {
      var row = [element("th", {scope: "row"}, [String(l + 1)])];
      shown.forEach(function (s) {
        var inside = l < Number(s.config.depth);
        QUANTITIES.forEach(function (q) { row.push(element("td", {}, [inside ? cells(s.curves[q[0]].summary[l]) : ""])); });
        if (s.curves.theory) row.push(element("td", {}, [inside ? number(s.curves.theory.signal[l]) : ""]));
      });
      rows.push(element("tr", {}, row));
    }
    var holder = document.getElementById("gx-table");
    holder.textContent = "";
    holder.appendChild(element("p", {}, ["Geometric mean over seeds 0, 1 and 2, with the lowest and highest seed in brackets."]));
    // Material's tables scroll sideways when wider than the page: focusable, so a keyboard can scroll it.
    holder.appendChild(element("table", {tabindex: "0"}, [element("caption", {}, ["Per-layer values of the plotted configurations"]),
      element("tbody", {}, rows)]));
  }

  function render() {
    syncControls();
    if (!data) return;
    var shown = [{which: "a", config: state.a}];
    if (state.compare) shown.push({which: "b", config: state.b});
    shown.forEach(function (s) { s.curves = series(s.config); });
    var text = document.getElementById("gx-readout");
    text.textContent = "";
    shown.forEach(function (s) { text.appendChild(readout(s.which.toUpperCase(), s.config, s.curves)); });
    legend(shown);
    var plot = document.getElementById("gx-plot");
    plot.textContent = "";
    var width = Math.max(280, Math.min(plot.clientWidth || 640, 760));
    QUANTITIES.forEach(function (quantity) { plot.appendChild(panel(quantity, shown, width)); });
    table(shown);
  }

  readLocation();
  buildControls();
  render();
  var resizing = null;
  window.addEventListener("resize", function () { clearTimeout(resizing); resizing = setTimeout(render, 150); });
  fetch(root.getAttribute("data-src"))
    .then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      return response.json();
    })
    .then(function (json) { data = json; render(); })
    .catch(function (error) {
      document.getElementById("gx-readout").textContent = "The executed runs could not be loaded (" + error.message + ").";
    });
})();
