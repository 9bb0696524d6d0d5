/* lifecircle map application (lifecircle/outputs/webmap.py writes its data).
 *
 * Every text from the data is put into the page with textContent (never innerHTML), so
 * names with markup show as text. Icons are SVG made by the Python side from the styles.
 */
(function () {
  "use strict";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function fmt(T, s, vals) {
    return String(T[s] || s).replace(/\{(\w+)\}/g, function (_, k) {
      return vals[k] === undefined ? "" : String(vals[k]);
    });
  }

  function pct(T, v) {
    // rounded down, as the report and the legend's classes: 49.99 % shows as 49.9 %
    return (v === null || v === undefined) ? T["legend.nodata"]
      : (Math.floor(v * 1000 + 1e-7) / 10).toFixed(1) + "%";
  }

  function num(T, v, d) {
    if (v === null || v === undefined) { return T["legend.nodata"]; }
    return Number(v).toLocaleString("en-US", {minimumFractionDigits: d || 0,
                                              maximumFractionDigits: d || 0});
  }

  // geometries come as [2, lines] or [3, polygons of rings]; each ring is integers of
  // 10^-scale degrees, [x0, y0, dx1, dy1, ...] (webmap._encode)
  function ring(a, scale) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i < a.length; i += 2) {
      x += a[i]; y += a[i + 1];
      out.push([x / scale, y / scale]);
    }
    return out;
  }
  function decode(fc, scale) {
    fc.features.forEach(function (f) {
      var g = f.geometry;
      if (!Array.isArray(g)) { return; }
      if (g[0] === 2) {
        f.geometry = {type: "MultiLineString",
                      coordinates: g[1].map(function (r) { return ring(r, scale); })};
      } else {
        f.geometry = {type: "MultiPolygon", coordinates: g[1].map(function (p) {
          return p.map(function (r) { return ring(r, scale); }); })};
      }
    });
    return fc;
  }

  window.lifecircleMap = function (map, D) {
    var scale = Math.pow(10, D.decimals);
    ["comm", "roads", "sa", "gap"].forEach(function (k) { decode(D[k], scale); });
    var T = D.T;
    var state = {sel: D.sel, after: false};
    // Leaflet's zoom buttons carry English titles of their own: the run's language instead
    if (map.zoomControl) {
      [[".leaflet-control-zoom-in", T["map.zoom_in"]],
       [".leaflet-control-zoom-out", T["map.zoom_out"]]].forEach(function (z) {
        var a = map.zoomControl.getContainer().querySelector(z[0]);
        if (a) { a.title = z[1]; a.setAttribute("aria-label", z[1]); }
      });
    }
    var svc = D.svc;
    var svcIdx = {};
    svc.forEach(function (s, i) { svcIdx[s.k] = i; });

    // ------------------------------------------------------------ panes and renderers
    [["lc-comm", 400], ["lc-roads", 410], ["lc-sa", 420], ["lc-gap", 430],
     ["lc-label", 450], ["lc-sites", 640]].forEach(function (p) {
      var pane = map.createPane(p[0]);
      pane.style.zIndex = p[1];
      if (p[0] === "lc-label" || p[0] === "lc-roads" || p[0] === "lc-sa") {
        pane.style.pointerEvents = "none";
      }
    });
    var roadRenderer = L.canvas({pane: "lc-roads", padding: 0.2});
    var saRenderer = L.svg({pane: "lc-sa"});

    // ------------------------------------------------------------ base maps
    var bases = {};
    var baseOrder = [];
    D.tiles.forEach(function (t) {
      var layer = L.tileLayer(t.url, {attribution: t.attr, maxZoom: 19, subdomains: "abcd"});
      bases[t.name] = layer;
      baseOrder.push(layer);
    });
    var blank = L.layerGroup();
    bases[T["layer.nobasemap"]] = blank;
    (D.tiles.length && D.tile_shown ? baseOrder[0] : blank).addTo(map);

    // ------------------------------------------------------------ coverage colours
    function covClass(v) {
      if (v === null || v === undefined || isNaN(v)) { return -1; }
      for (var i = 0; i < D.cov.length; i++) {
        if (D.cov[i].lo <= v && v <= D.cov[i].hi) { return i; }
      }
      return -1;
    }
    function covColor(v) {
      var k = covClass(v);
      return k < 0 ? D.nodata : D.cov[k].color;
    }
    function commValue(p) {
      var after = state.after && p.aa !== undefined;
      if (state.sel === "") { return after ? p.aa : p.a; }
      // "va" holds only the services the proposed sites change
      var v = (after && p.va && p.va[state.sel] !== undefined) ? p.va[state.sel]
        : (p.v ? p.v[state.sel] : undefined);
      return v === undefined ? null : v;
    }

    // ------------------------------------------------------------ roads (offline base)
    var roads = L.geoJSON(D.roads, {
      renderer: roadRenderer, interactive: false,
      style: function (f) {
        return f.properties.w === 0 ? {color: D.road_colors[0], weight: 2, opacity: 0.9}
                                    : {color: D.road_colors[1], weight: 1, opacity: 0.8};
      }
    });
    function roadDetail() {
      // minor roads only from the zoom where they can be told apart
      roads.eachLayer(function (l) {
        var minor = l.feature.properties.w !== 0;
        l.setStyle({opacity: (!minor || map.getZoom() >= D.minor_road_zoom) ? 0.85 : 0});
      });
    }

    // ------------------------------------------------------------ communities
    function popupTable(rows) {
      var t = el("table");
      rows.forEach(function (r) {
        var tr = el("tr", r[2] ? "lc-bad" : "");
        // a number is the index of a label stored once in D.rl (webmap._intern_labels)
        tr.appendChild(el("th", "", typeof r[0] === "number" ? D.rl[r[0]] : r[0]));
        tr.appendChild(el("td", "", r[1]));
        t.appendChild(tr);
      });
      return t;
    }
    function svcName(k) { return k in svcIdx ? svc[svcIdx[k]].n : k; }

    function commPopup(p) {
      var div = el("div", "lc-pop");
      div.appendChild(el("div", "lc-h", p.n));
      var rows = [[T["f.kind"], p.k], [T["f.district"], p.d], [T["f.township"], p.tw],
                  [T["f.population"], num(T, p.p)], [T["f.households"], num(T, p.h)]];
      if (p.cm !== null) { rows.push([T["f.circle_min"], fmt(T, "minutes", {value: p.cm})]); }
      var showAfter = state.after && p.aa !== undefined;
      var allText = pct(T, p.a) + (showAfter ? " → " + pct(T, p.aa) : "");
      rows.push([T["f.cov_all"], allText]);
      if (p.w !== null) { rows.push([T["f.worst_min"], num(T, p.w, 1)]); }
      (p.x || []).forEach(function (r) { rows.push(r); });  // supply, groups, scenarios
      div.appendChild(popupTable(rows));
      var keys = Object.keys(p.v || {});
      if (keys.length) {
        div.appendChild(el("div", "lc-sub", T["popup.coverage"]));
        var per = keys.map(function (k) {
          var v = p.v[k];
          var text = pct(T, v);
          if (showAfter && p.va && p.va[k] !== undefined && p.va[k] !== v) {
            text += " → " + pct(T, p.va[k]);
          }
          return [svcName(k), text, v !== null && v < D.full];
        });
        var t = popupTable(per);
        Array.prototype.forEach.call(t.rows, function (tr, i) {
          if (keys[i] === state.sel) { tr.className += " lc-selrow"; }
        });
        div.appendChild(t);
      }
      var partial = keys.filter(function (k) { return p.v[k] !== null && p.v[k] < D.full; });
      div.appendChild(el("div", "lc-sub", T["popup.partial"]));
      div.appendChild(el("div", partial.length ? "lc-bad" : "",
                         partial.length ? partial.map(svcName).join(T.sep) : T.none));
      div.appendChild(el("div", "lc-sub", T["popup.missing"]));
      div.appendChild(el("div", p.m.length ? "lc-bad" : "",
                         p.m.length ? p.m.map(svcName).join(T.sep) : T.none));
      return div;
    }

    var commLayers = [];
    var communities = L.geoJSON(D.comm, {
      pane: "lc-comm",
      style: function (f) {
        return {fillColor: covColor(commValue(f.properties)), fillOpacity: D.comm_opacity,
                color: D.comm_stroke, weight: 1, opacity: 0.9};
      },
      onEachFeature: function (f, layer) {
        commLayers.push(layer);
        layer.bindPopup(function () { return commPopup(f.properties); }, {maxWidth: 360});
        layer.bindTooltip(function () {
          return el("span", "", f.properties.n + " · " + pct(T, commValue(f.properties)));
        }, {sticky: true});
      }
    });

    // community labels at suitable zooms
    var labels = L.layerGroup();
    function drawLabels() {
      labels.clearLayers();
      if (map.getZoom() < D.label_zoom || !map.hasLayer(labelsToggle)) { return; }
      var b = map.getBounds().pad(0.1);
      var n = 0;
      commLayers.forEach(function (l) {
        var p = l.feature.properties;
        if (!p.lp || n > 400 || !b.contains(p.lp)) { return; }
        n += 1;
        var span = el("span", "", p.n);
        labels.addLayer(L.marker(p.lp, {pane: "lc-label", interactive: false, keyboard: false,
          icon: L.divIcon({className: "lc-label", html: span, iconSize: null})}));
      });
    }
    var labelsToggle = L.layerGroup();  // the layer-control entry; labels follow it

    // ------------------------------------------------------------ service areas and gaps
    var saGroup = L.layerGroup();
    var gapGroup = L.layerGroup();
    var saCache = {};
    var gapCache = {};
    function saLayer(k) {
      if (!(k in saCache)) {
        var s = svc[svcIdx[k]];
        saCache[k] = L.geoJSON({type: "FeatureCollection", features: D.sa.features.filter(
          function (f) { return f.properties.s === svcIdx[k]; })}, {
          renderer: saRenderer, interactive: false,
          style: {fillColor: s.c, fillOpacity: D.sa_opacity, color: s.c, weight: 1.5,
                  opacity: 0.8}});
      }
      return saCache[k];
    }
    function gapPopup(p) {
      var div = el("div", "lc-pop");
      div.appendChild(el("div", "lc-h", T["layer.gaps"] + T.colon + svc[p.s].n));
      var rows = [[T["f.gap_population"], num(T, p.p)], [T["f.gap_households"], num(T, p.h)]];
      if (p.c) { rows.unshift([T["f.circle"], p.c]); }
      if (p.np !== null && p.np !== undefined) { rows.push([T["f.n_points"], num(T, p.np)]); }
      div.appendChild(popupTable(rows));
      return div;
    }
    function gapLayer(k) {
      if (!(k in gapCache)) {
        var feats = D.gap.features.filter(function (f) {
          return k === "" || f.properties.s === svcIdx[k];
        });
        gapCache[k] = L.geoJSON({type: "FeatureCollection", features: feats}, {
          pane: "lc-gap",
          style: {fillColor: "url(#lc-hatch)", fillOpacity: 1, color: D.gap_stroke, weight: 1.5,
                  dashArray: "5 4", opacity: 0.9},
          onEachFeature: function (f, layer) {
            layer.bindPopup(function () { return gapPopup(f.properties); }, {maxWidth: 320});
          }
        });
      }
      return gapCache[k];
    }

    // ------------------------------------------------------------ points: clustered by zoom
    function ClusterLayer(points, iconFor, popupFor, opts) {
      this.points = points;
      this.iconFor = iconFor;
      this.popupFor = popupFor;
      this.opts = opts;
      this.filter = function () { return true; };
      this.group = L.layerGroup();
      this.markers = [];
    }
    ClusterLayer.prototype.redraw = function () {
      var g = this.group;
      g.clearLayers();
      this.markers = [];
      if (!map.hasLayer(g)) { return; }
      var z = map.getZoom();
      var b = map.getBounds().pad(0.25);
      var cell = z >= this.opts.allZoom ? 0 : this.opts.cellPx;
      var bins = {};
      var self = this;
      this.points.forEach(function (pt, i) {
        if (!self.filter(pt) || !b.contains([pt[0], pt[1]])) { return; }
        var key = i;
        if (cell) {
          var px = map.project([pt[0], pt[1]], z);
          key = Math.floor(px.x / cell) + ":" + Math.floor(px.y / cell);
        }
        (bins[key] = bins[key] || []).push(i);
      });
      Object.keys(bins).forEach(function (key) {
        var idx = bins[key];
        if (idx.length === 1) {
          var pt = self.points[idx[0]];
          var px = self.iconFor(pt);
          var m = L.marker([pt[0], pt[1]], {keyboard: false, riseOnHover: true,
            icon: L.divIcon({html: px[0], className: "lc-icon", iconSize: [px[1], px[1]],
                             iconAnchor: [px[1] / 2, px[1] / 2], popupAnchor: [0, -px[1] / 2]})});
          m.bindPopup(function () { return self.popupFor(pt); }, {maxWidth: 320});
          m.bindTooltip(function () { return el("span", "", pt[self.opts.nameAt]); });
          m._lcPoint = pt;
          self.markers.push(m);
          g.addLayer(m);
        } else {
          var lat = 0, lon = 0;
          idx.forEach(function (i) { lat += self.points[i][0]; lon += self.points[i][1]; });
          lat /= idx.length; lon /= idx.length;
          var size = idx.length < 10 ? 26 : (idx.length < 100 ? 32 : 38);
          var color = self.opts.clusterColor(idx.map(function (i) { return self.points[i]; }));
          var c = L.marker([lat, lon], {keyboard: false, title: String(idx.length),
            icon: L.divIcon({className: "lc-icon", iconSize: [size, size],
              html: '<div class="lc-cluster" style="width:' + size + "px;height:" + size +
                    "px;line-height:" + size + "px;border-color:" + color + '">' +
                    idx.length + "</div>"})});
          c.on("click", function () {
            map.setView([lat, lon], Math.min(z + 2, self.opts.allZoom));
          });
          g.addLayer(c);
        }
      });
    };

    var facilities = new ClusterLayer(D.fac, function (pt) {
      var s = svc[pt[2]];
      return [s.icon, s.px];
    }, function (pt) {
      var div = el("div", "lc-pop");
      div.appendChild(el("div", "lc-h", pt[3]));
      var rows = [[T["f.category"], svc[pt[2]].n], [T["f.status"], pt[4]]];
      if (pt[5] !== null) { rows.push([T["f.snapped"], pt[5] ? T.yes : T.no]); }
      if (pt[6] !== null) { rows.push([T["f.access_m"], num(T, pt[6])]); }
      (pt[7] || []).forEach(function (r) { rows.push(r); });  // load, capacity
      div.appendChild(popupTable(rows));
      return div;
    }, {cellPx: 56, allZoom: D.all_points_zoom, nameAt: 3, clusterColor: function (pts) {
      var first = pts[0][2];
      return pts.every(function (p) { return p[2] === first; }) ? svc[first].c : "#555";
    }});
    facilities.filter = function (pt) { return state.sel === "" || svc[pt[2]].k === state.sel; };

    var candidates = new ClusterLayer(D.cand, function () { return [D.cand_icon, D.cand_px]; },
      function (pt) {
        var div = el("div", "lc-pop");
        div.appendChild(el("div", "lc-h", pt[2]));
        div.appendChild(popupTable([[T["f.priority"], num(T, pt[3])],
                                    [T["f.is_idle_asset"], pt[4] ? T.yes : T.no]]));
        return div;
      }, {cellPx: 48, allZoom: D.all_points_zoom, nameAt: 2,
          clusterColor: function () { return D.cand_color; }});

    // ------------------------------------------------------------ over capacity
    // a ring beneath each facility whose load passes its capacity (its own toggle); it
    // follows the service selector like the facilities
    var overGroup = L.layerGroup();
    var overMarkers = D.over.map(function (o) {
      var m = L.marker([o[0], o[1]], {keyboard: false, zIndexOffset: -1000,
        icon: L.divIcon({html: D.over_icon, className: "lc-icon lc-over",
                         iconSize: [D.over_px, D.over_px],
                         iconAnchor: [D.over_px / 2, D.over_px / 2],
                         popupAnchor: [0, -D.over_px / 2]})});
      m.bindPopup(function () {
        var div = el("div", "lc-pop");
        div.appendChild(el("div", "lc-h", o[3]));
        div.appendChild(el("div", "lc-bad", T["legend.over_capacity"]));
        div.appendChild(popupTable(o[4]));
        return div;
      }, {maxWidth: 320});
      m.bindTooltip(function () { return el("span", "", o[3]); });
      m._lcOver = o;
      return m;
    });
    function drawOver() {
      overGroup.clearLayers();
      overMarkers.forEach(function (m) {
        var i = m._lcOver[2];
        if (state.sel === "" || (i >= 0 && svc[i].k === state.sel)) { overGroup.addLayer(m); }
      });
    }

    // ------------------------------------------------------------ proposed sites
    var sites = L.layerGroup();
    var siteMarkers = [];
    function sitePopup(s) {
      var div = el("div", "lc-pop");
      div.appendChild(el("div", "lc-h", fmt(T, "popup.rank", {rank: s.r})));
      var rows = [[T["f.name"], s.n], [T["f.categories"], s.cats],
                  [T["f.new_population"], fmt(T, "people", {value: num(T, s.np)})],
                  [T["f.site_communities"], s.comms || T.none],
                  [T["f.is_idle_asset"], s.idle ? T.yes : T.no]];
      if (s.road !== null) { rows.push([T["f.nearest_road_m"], num(T, s.road)]); }
      div.appendChild(popupTable(rows));
      return div;
    }
    D.prop.slice().reverse().forEach(function (s) {
      var m = L.marker([s.lat, s.lon], {pane: "lc-sites", keyboard: false,
        zIndexOffset: 10000 - s.r,
        icon: L.divIcon({className: "lc-icon", iconSize: [28, 28], iconAnchor: [14, 14],
                         popupAnchor: [0, -14], html: '<div class="lc-rank"></div>'})});
      m.bindPopup(function () { return sitePopup(s); }, {maxWidth: 360});
      m.bindTooltip(function () { return el("span", "", fmt(T, "popup.rank", {rank: s.r}) +
                                           T.colon + s.n); });
      m.on("add", function () {
        var e = m.getElement();
        if (e) { e.querySelector(".lc-rank").textContent = String(s.r); }
      });
      siteMarkers[s.r] = m;
      sites.addLayer(m);
    });

    // ------------------------------------------------------------ selection
    function refresh() {
      communities.setStyle(function (f) {
        return {fillColor: covColor(commValue(f.properties))};
      });
      saGroup.clearLayers();
      gapGroup.clearLayers();
      if (state.sel !== "") { saGroup.addLayer(saLayer(state.sel)); }
      if (D.gap.features.length) { gapGroup.addLayer(gapLayer(state.sel)); }
      facilities.redraw();
      drawOver();
      legend.update();
      map.fire("lc:refresh");
    }

    // ------------------------------------------------------------ controls
    var Panel = L.Control.extend({
      onAdd: function () {
        var div = el("div", this.options.cls);
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        this.options.build(div);
        return div;
      }
    });

    // title and service selector
    new Panel({position: "topright", cls: "lc-title lc-box", build: function (div) {
      div.appendChild(el("div", "lc-h", D.title));
      var row = el("label", "lc-selrow-label");
      row.appendChild(el("span", "", T["map.service"]));
      var select = el("select", "lc-service");
      var all = el("option", "", T["map.all_services"]);
      all.value = "";
      select.appendChild(all);
      svc.forEach(function (s) {
        if (!s.req) { return; }
        var o = el("option", "", s.n);
        o.value = s.k;
        select.appendChild(o);
      });
      select.value = state.sel;
      select.addEventListener("change", function () { state.sel = select.value; refresh(); });
      row.appendChild(select);
      div.appendChild(row);
      if (D.has_after) {
        var lab = el("label", "lc-after-label");
        var cb = el("input", "lc-after");
        cb.type = "checkbox";
        cb.addEventListener("change", function () { state.after = cb.checked; refresh(); });
        lab.appendChild(cb);
        lab.appendChild(el("span", "", T["map.with_sites"]));
        div.appendChild(lab);
      }
    }}).addTo(map);

    var overlays = {};
    overlays[T["layer.coverage"]] = communities;
    overlays[T["layer.roads"]] = roads;
    overlays[T["layer.service_area_sel"]] = saGroup;
    overlays[T["layer.gaps"]] = gapGroup;
    overlays[T["layer.facilities"]] = facilities.group;
    if (D.over.length) { overlays[T["layer.over_capacity"]] = overGroup; }
    if (D.cand.length) { overlays[T["layer.candidates"]] = candidates.group; }
    if (D.prop.length) { overlays[T["layer.proposed_sites"]] = sites; }
    overlays[T["layer.labels"]] = labelsToggle;
    L.control.layers(bases, overlays, {position: "topright", collapsed: true}).addTo(map);

    // name search
    new Panel({position: "topleft", cls: "lc-search lc-box", build: function (div) {
      var input = el("input", "lc-search-input");
      input.type = "search";
      input.placeholder = T["map.search"];
      input.setAttribute("list", "lc-names");
      input.setAttribute("aria-label", T["map.search"]);
      var list = el("datalist");
      list.id = "lc-names";
      var byName = {};
      commLayers.forEach(function (l) {
        var n = l.feature.properties.n;
        if (!(n in byName)) {
          byName[n] = l;
          var o = el("option");
          o.value = n;
          list.appendChild(o);
        }
      });
      function go() {
        var l = byName[input.value];
        if (!l) {
          var q = input.value.trim();
          if (!q) { return; }
          var hit = Object.keys(byName).filter(function (n) { return n.indexOf(q) >= 0; });
          if (hit.length !== 1) { input.classList.add("lc-nohit"); return; }
          l = byName[hit[0]];
        }
        input.classList.remove("lc-nohit");
        if (!map.hasLayer(communities)) { communities.addTo(map); }
        map.fitBounds(l.getBounds(), {maxZoom: 16});
        l.openPopup(l.getBounds().getCenter());
      }
      input.addEventListener("change", go);
      input.addEventListener("keydown", function (e) { if (e.key === "Enter") { go(); } });
      div.appendChild(input);
      div.appendChild(list);
    }}).addTo(map);

    // proposed sites panel
    if (D.prop.length) {
      new Panel({position: "bottomright", cls: "lc-sites lc-box", build: function (div) {
        var det = el("details");
        det.open = true;
        det.appendChild(el("summary", "", T["layer.proposed_sites"]));
        if (D.gain) { det.appendChild(el("div", "lc-gain", D.gain)); }
        var ol = el("ol");
        D.prop.forEach(function (s) {
          var li = el("li");
          var b = el("button", "lc-site-btn");
          b.type = "button";
          b.dataset.rank = String(s.r);
          var badge = el("span", "lc-rank lc-rank-s", s.r);
          b.appendChild(badge);
          b.appendChild(el("span", "", s.n + " · " + fmt(T, "people", {value: num(T, s.np)})));
          b.addEventListener("click", function () {
            if (!map.hasLayer(sites)) { sites.addTo(map); }
            map.setView([s.lat, s.lon], Math.max(map.getZoom(), 15));
            siteMarkers[s.r].openPopup();
          });
          li.appendChild(b);
          ol.appendChild(li);
        });
        det.appendChild(ol);
        div.appendChild(det);
      }}).addTo(map);
    }

    // legend: what is shown, for the chosen service
    var legend = new Panel({position: "bottomleft", cls: "lc-legend lc-box", build: function (div) {
      legend.div = div;
    }});
    function row(swatch, text) {
      var r = el("div", "lc-row");
      if (typeof swatch === "string") {
        var s = el("span", "lc-sw");
        s.innerHTML = swatch;  // SVG/style made in Python from the styles module, no data
        r.appendChild(s);
      } else { r.appendChild(swatch); }
      r.appendChild(el("span", "", text));
      return r;
    }
    legend.update = function () {
      var div = legend.div;
      if (!div) { return; }
      div.textContent = "";
      var det = el("details");
      det.open = true;
      var s = state.sel === "" ? null : svc[svcIdx[state.sel]];
      det.appendChild(el("summary", "", T["legend.title"]));
      var head = (s ? fmt(T, "legend.coverage_of", {category: s.n}) : T["legend.coverage"]) +
                 (state.after ? T["legend.after"] : "");
      det.appendChild(el("div", "lc-sec", head));
      var ramp = el("div", "lc-ramp");
      D.cov.slice().reverse().forEach(function (c) {
        ramp.appendChild(row('<i style="background:' + c.color + '"></i>', c.label));
      });
      ramp.appendChild(row('<i style="background:' + D.nodata + '"></i>', T["legend.nodata"]));
      det.appendChild(ramp);
      det.appendChild(el("div", "lc-sec", s ? s.n : T["map.all_services"]));
      if (s) {
        det.appendChild(row(s.icon, T["legend.facilities_one"]));
        det.appendChild(row('<i style="background:' + s.c + ';opacity:.45;border-color:' +
                            s.c + '"></i>', fmt(T, "legend.service_area_of", {limit: s.lim})));
      } else {
        var grid = el("div", "lc-cats");
        svc.forEach(function (x) { if (x.has_fac) { grid.appendChild(row(x.icon, x.n)); } });
        det.appendChild(grid);
      }
      det.appendChild(row('<div class="lc-cluster lc-cluster-s">12</div>', T["legend.cluster"]));
      if (D.gap.features.length) {
        det.appendChild(row(D.gap_swatch, s ? T["legend.gap_one"] : T["legend.gap"]));
      }
      if (D.prop.length) {
        det.appendChild(row('<div class="lc-rank lc-rank-s">1</div>', T["legend.proposed"]));
      }
      if (D.over.length) { det.appendChild(row(D.over_swatch, T["legend.over_capacity"])); }
      if (D.cand.length) { det.appendChild(row(D.cand_icon, T["legend.candidate"])); }
      det.appendChild(row('<i class="lc-road"></i>', T["layer.roads"]));
      div.appendChild(det);
    };
    legend.addTo(map);
    L.control.scale({imperial: false, metric: true, position: "bottomright"}).addTo(map);

    // ------------------------------------------------------------ initial layers
    communities.addTo(map);
    roads.addTo(map);
    saGroup.addTo(map);
    gapGroup.addTo(map);
    facilities.group.addTo(map);
    if (D.over.length) { overGroup.addTo(map); }
    if (D.prop.length) { sites.addTo(map); }
    labelsToggle.addTo(map);
    labels.addTo(map);
    if (D.bounds) { map.fitBounds(D.bounds, {padding: [20, 20]}); }

    map.on("zoomend moveend", function () {
      facilities.redraw();
      candidates.redraw();
      drawLabels();
      roadDetail();
    });
    map.on("overlayadd overlayremove", function (e) {
      if (e.layer === facilities.group) { facilities.redraw(); }
      if (e.layer === candidates.group) { candidates.redraw(); }
      if (e.layer === labelsToggle) { drawLabels(); }
    });
    refresh();
    drawLabels();
    roadDetail();
    window.lifecircle = {state: state, refresh: refresh, select: function (k) {
      state.sel = k;
      var s = document.querySelector(".lc-service");
      if (s) { s.value = k; }
      refresh();
    }, facilities: facilities, sites: siteMarkers, communities: communities,
      over: overGroup};
  };
}());
