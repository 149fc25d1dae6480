// The page's behaviour: upload, call the API, draw what it answered. Plain JavaScript, no build step.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  // A label the page knows gets its own colour; any other string the API sends is shown as is.
  const KNOWN_LABELS = new Set(["real", "fake", "uncertain"]);
  const POLL_MS = 400;
  const THUMBS_PER_PERSON = 8;

  let generation = 0; // each upload starts a new generation; answers for an older one are dropped
  let objectUrl = null;

  class ApiError extends Error {
    constructor(message, code, status) {
      super(message);
      this.code = code;
      this.status = status;
    }
  }

  function labelClass(label) {
    return "label-" + (KNOWN_LABELS.has(label) ? label : "other");
  }

  function labelChip(label) {
    const chip = document.createElement("span");
    chip.className = "label " + labelClass(label);
    chip.textContent = label;
    return chip;
  }

  function el(tag, attributes = {}, text = "") {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text) node.textContent = text;
    return node;
  }

  function svg(tag, attributes = {}) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    return node;
  }

  const score = (p) => Number(p).toFixed(3);

  function isImage(file) {
    return file.type.startsWith("image/") || /\.(heic|heif|avif)$/i.test(file.name);
  }

  function isVideo(file) {
    return file.type.startsWith("video/") || /\.(mp4|mov|m4v|mkv|webm|avi)$/i.test(file.name);
  }

  async function readAnswer(response) {
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    if (!response.ok) {
      const error = body && body.error;
      const message = error ? error.message : `The service answered HTTP ${response.status}.`;
      throw new ApiError(message, error ? error.code : "http_" + response.status, response.status);
    }
    if (body === null) throw new ApiError("The service's answer was not JSON.", "bad_answer", 0);
    return body;
  }

  // ---- API keys (DFD_AUTH=keys) ----
  // The key lives in this tab's sessionStorage only: never in the URL, never in a cookie, gone when
  // the tab closes. It is asked for when the API answers 401, and sent as a Bearer token.

  const KEY_NAME = "dfd-api-key";
  let keyRequest = null; // one prompt at a time, shared by every call waiting for a key

  function storedKey() {
    try {
      return sessionStorage.getItem(KEY_NAME);
    } catch (_) {
      return null;
    }
  }

  function storeKey(key) {
    try {
      if (key) sessionStorage.setItem(KEY_NAME, key);
      else sessionStorage.removeItem(KEY_NAME);
    } catch (_) {
      // Storage refused (a private window's policy): the key is asked again on the next 401.
    }
    $("key-state").hidden = !storedKey();
  }

  function askForKey(message) {
    if (keyRequest) return keyRequest.promise;
    const form = $("key-form");
    const input = $("api-key");
    $("key-message").textContent = message;
    form.hidden = false;
    input.value = "";
    input.focus();
    let settle = null;
    const promise = new Promise((resolve, reject) => { settle = { resolve, reject }; });
    keyRequest = { promise, ...settle };
    return promise;
  }

  function answerKeyRequest(key) {
    const request = keyRequest;
    keyRequest = null;
    $("key-form").hidden = true;
    if (!request) return;
    if (key) {
      storeKey(key);
      request.resolve();
    } else {
      request.reject(new ApiError("This service needs an API key; none was given.", "unauthorized", 401));
    }
  }

  async function apiFetch(url, init = {}) {
    for (;;) {
      const headers = { Accept: "application/json", ...(init.headers || {}) };
      const key = storedKey();
      if (key) headers.Authorization = `Bearer ${key}`;
      const response = await fetch(url, { ...init, headers });
      if (response.status !== 401) return response;
      let reason = "";
      try {
        reason = (await response.json()).error.message;
      } catch (_) {
        reason = "";
      }
      storeKey(null);
      await askForKey(key
        ? `The service refused this key${reason ? ` (${reason})` : ""}. Enter another API key.`
        : "This service needs an API key. Enter yours: it is kept for this tab only.");
    }
  }

  async function post(url, form) {
    return readAnswer(await apiFetch(url, { method: "POST", body: form }));
  }

  async function getJson(url) {
    return readAnswer(await apiFetch(url));
  }

  // A link to an API file (the annotated result) needs the key too: fetched, then saved.
  async function openWithKey(event) {
    if (!storedKey()) return;
    event.preventDefault();
    const link = event.currentTarget;
    try {
      const response = await apiFetch(link.href, { headers: { Accept: "*/*" } });
      if (!response.ok) await readAnswer(response);
      const url = URL.createObjectURL(await response.blob());
      const save = el("a", { href: url, download: link.dataset.filename || "" });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (error) {
      showError(error.message || String(error));
    }
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // ---- plain words (GET /ui/wording.json: the texts and rules dfd scan's report uses too) ----

  const wordingReady = fetch("/ui/wording.json", { headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : null))
    .catch(() => null);

  const personName = (id) => `P${id + 1}`;

  function judgedOf(body) {
    if (Array.isArray(body.persons)) {
      return body.persons.map((p) => ({ name: personName(p.id), label: p.label, p: p.score, reason: p.reason, decisive: p.decisive !== false }));
    }
    return body.faces.map((f, i) => ({ name: String(i + 1), label: f.label, p: f.fake_probability, reason: f.reason, decisive: true }));
  }

  // The face or person whose score decided the verdict (analysis/wording.py's decider).
  function deciderIndex(verdict, reason, judged) {
    const deciding = judged.map((item, i) => i).filter((i) => judged[i].decisive);
    if (verdict === "uncertain") {
      const found = deciding.find((i) => judged[i].label === "uncertain" && judged[i].reason === reason);
      return found === undefined ? null : found;
    }
    if ((verdict === "fake" || verdict === "real") && deciding.length) {
      return deciding.reduce((best, i) => (judged[i].p > judged[best].p ? i : best), deciding[0]);
    }
    return null;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  function verdictSentence(words, body) {
    const judged = judgedOf(body);
    const verdict = body.verdict;
    if (verdict === "no_face" || !judged.length) return words.sentences.no_face;
    const template = words.sentences[verdict];
    if (!template) return `The verdict is ${verdict}.`;
    const video = Array.isArray(body.persons);
    const index = deciderIndex(verdict, body.verdict_reason, judged);
    const count = judged.filter((item) => item.decisive).length;
    let who;
    if (verdict === "real" && count > 1) who = fill(words.who[video ? "all_persons" : "all_faces"], { count });
    else if (index === null) who = video ? words.who.video : fill(words.who.all_faces, { count: judged.length });
    else who = fill(words.who[video ? "person" : "face"], { name: judged[index].name });
    const p = body.fake_probability === null || body.fake_probability === undefined ? 0 : body.fake_probability;
    const distance = verdict === "fake" ? p : 1 - p;
    const level = words.certainty.find(([floor]) => distance >= floor);
    const meaning = words.reasons[body.verdict_reason || ""];
    return fill(template, {
      Who: who.charAt(0).toUpperCase() + who.slice(1),
      who,
      p: p.toFixed(2),
      certainty: level ? level[1] : "",
      short: meaning ? meaning.short : body.verdict_reason || "no reason given",
    });
  }

  // Every reason in the answer (and no_face), with what it means and what to do next.
  function reasonHelp(words, body) {
    const codes = [];
    if (body.verdict === "no_face") codes.push("no_face");
    if (body.verdict_reason) codes.push(body.verdict_reason);
    for (const item of judgedOf(body)) if (item.reason) codes.push(item.reason);
    const list = el("dl");
    for (const code of [...new Set(codes)]) {
      const meaning = code === "no_face" ? words.no_face : words.reasons[code];
      if (!meaning) continue;
      list.append(el("dt", {}, code.replace(/_/g, " ")));
      const dd = el("dd", {}, meaning.meaning + " ");
      dd.append(el("strong", {}, "What to do: "), meaning.next_step);
      list.append(dd);
    }
    return list.children.length ? list : null;
  }

  async function explainVerdict(body, mine) {
    const words = await wordingReady;
    if (!words || mine !== generation) return;
    const sentence = verdictSentence(words, body);
    $("verdict-sentence").textContent = sentence;
    const help = reasonHelp(words, body);
    const box = $("reason-help");
    box.replaceChildren();
    if (help) box.append(el("h3", {}, "What this means"), help);
    box.hidden = !help;
    setStatus(`${$("status").textContent} ${sentence}`);
  }

  // The legend of every heatmap: one scale (analysis/explain.py's SCALE_MAX and COLOURS).
  function heatmapLegend(words) {
    const legend = el("div", { class: "heatmap-legend", "data-testid": "heatmap-legend" });
    if (!words) return legend;
    const h = words.heatmap;
    const bar = el("span", { class: "legend-bar", role: "img", "aria-label": `from no colour (0) to red (a drop of ${h.scale_max} or more)` });
    bar.style.background = `linear-gradient(to right, transparent, ${h.colours.join(", ")})`;
    legend.append(el("span", {}, "0"), bar, el("span", {}, `≥ ${h.scale_max}`), el("p", { class: "hint" }, h.legend));
    return legend;
  }

  // Whether a score is near or above the threshold: its heatmap is shown without asking.
  function nearThreshold(value, body) {
    const low = body.uncertain_band ? body.uncertain_band.low : body.threshold;
    return value >= low;
  }

  function showLimits(words) {
    if (!words) return;
    $("limits-title").textContent = words.limits_title;
    const list = $("model-limits").querySelector("ul");
    list.replaceChildren(...words.limits.map((line) => el("li", {}, line)));
  }

  // ---- status, progress, error ----

  function setStatus(text) {
    $("status").textContent = text;
  }

  function setProgress(value) {
    const bar = $("progress");
    if (value === null) {
      bar.hidden = true;
      return;
    }
    bar.hidden = false;
    bar.value = value;
    bar.setAttribute("aria-valuetext", `${Math.round(value * 100)} %`);
  }

  function showError(message) {
    const box = $("error");
    box.textContent = message;
    box.hidden = false;
    setStatus("");
    setProgress(null);
  }

  function reset() {
    generation += 1;
    $("error").hidden = true;
    $("error").textContent = "";
    $("result").hidden = true;
    $("image-result").hidden = true;
    $("video-result").hidden = true;
    $("frame-view").hidden = true;
    $("persons").replaceChildren();
    $("downloads").replaceChildren();
    $("summary").textContent = "";
    $("verdict-sentence").textContent = "";
    $("reason-help").replaceChildren();
    $("provenance").hidden = true;
    $("reason-help").hidden = true;
    $("skipped").textContent = "";
    document.querySelectorAll("#picture-frame .face-box, #picture-frame .heat").forEach((node) => node.remove());
    $("faces-table").tBodies[0].replaceChildren();
    setProgress(null);
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = null;
    return generation;
  }

  // ---- upload ----

  function options(form, video) {
    const threshold = $("threshold").value.trim();
    if (threshold) form.append("threshold", threshold);
    const frames = $("frames").value.trim();
    if (video && frames) form.append("frames", frames);
  }

  // The service's upload limits, written into the page: an oversized file is refused here,
  // before it is uploaded in full only to be refused with a 413.
  function tooLarge(file) {
    const limits = $("limits").dataset;
    const limit = Number(isImage(file) ? limits.imageBytes : limits.videoBytes);
    if (!(limit > 0) || file.size <= limit) return null;
    const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, "")} MiB`;
    return `${file.name} is ${mib(file.size)}; the limit is ${mib(limit)}. Nothing was uploaded.`;
  }

  async function analyse(file) {
    const refused = tooLarge(file);
    if (refused) {
      reset();
      showError(refused);
      return;
    }
    const mine = reset();
    objectUrl = URL.createObjectURL(file);
    setStatus(`Uploading ${file.name} (${(file.size / 1024 / 1024).toFixed(1)} MiB)…`);
    setProgress(0);
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      if (isImage(file)) {
        options(form, false);
        const body = await post("/v1/images", form);
        if (mine !== generation) return;
        showResult(body, file, null);
      } else {
        // Videos (and anything else: the API says what it is) go through a job, with progress.
        options(form, isVideo(file));
        // Only what the user asked for: keeping the upload for an annotated copy, and heatmaps,
        // cost disk and CPU.
        const annotate = $("annotate").checked;
        if (annotate) form.append("annotate", "true");
        if ($("explain").checked) form.append("explain", "true");
        // Face thumbnails cut by the service from the frames it analysed: shown at once, with no
        // seeking in the browser (which may not even decode the codec).
        form.append("thumbnails", "true");
        const accepted = await post("/v1/jobs", form);
        await followJob(accepted, file, mine, annotate);
      }
    } catch (error) {
      if (mine === generation) showError(error.message || String(error));
    }
  }

  async function followJob(accepted, file, mine, annotate) {
    setStatus("Queued…");
    for (;;) {
      await sleep(POLL_MS);
      if (mine !== generation) return;
      const job = await getJson(accepted.status_url);
      if (mine !== generation) return;
      if (job.status === "queued" || job.status === "running") {
        setStatus(job.status === "queued" ? "Queued…" : `Analysing… ${Math.round(job.progress * 100)} %`);
        setProgress(job.progress);
      } else if (job.status === "succeeded") {
        showResult(job.result, file, annotate ? job.id : null);
        return;
      } else if (job.status === "failed") {
        throw new ApiError(job.error.message, job.error.code, 0);
      } else {
        throw new ApiError(`The job was ${job.status}.`, job.status, 0);
      }
    }
  }

  function showResult(body, file, jobId) {
    setStatus(`Analysed ${file.name}: ${body.verdict}.`);
    setProgress(null);
    const verdict = $("verdict");
    verdict.textContent = body.verdict;
    verdict.className = "label " + labelClass(body.verdict);
    $("result").hidden = false;
    const judged = judgedOf(body);
    const decider = deciderIndex(body.verdict, body.verdict_reason, judged);
    if (Array.isArray(body.persons)) showVideo(body, decider);
    else showImage(body, file, decider);
    showDownloads(body, jobId);
    showProvenance(body.provenance);
    explainVerdict(body, generation);
    $("result-title").focus({ preventScroll: true });
  }

  // Provenance (C2PA, XMP, generator metadata): what the file declares, shown beside the face
  // verdict and never mixed into it. Shown only when the file says something.
  function showProvenance(provenance) {
    const box = $("provenance");
    const details = $("provenance-details");
    details.replaceChildren();
    box.hidden = true;
    if (!provenance) return;
    const c2pa = provenance.c2pa;
    const signals = provenance.signals || [];
    if (!c2pa && !signals.length && provenance.declared_ai_generated === null) return;
    let summary = "Nothing in the file declares how it was made.";
    if (provenance.declared_ai_generated === true) {
      summary = "The file declares that it was made or composited by AI (a generative model). " +
        "This is what the file says, not a finding of the face model.";
    } else if (provenance.declared_ai_generated === false) {
      summary = "The file declares a source other than AI generation.";
    }
    $("provenance-summary").textContent = summary;
    if (c2pa) {
      const signer = c2pa.signer ? [c2pa.signer.common_name, c2pa.signer.issuer].filter(Boolean).join(", ") : "";
      let text = `Content Credentials (C2PA): ${c2pa.message}`;
      if (c2pa.claim_generator) text += `; made with ${c2pa.claim_generator}`;
      if (signer) text += `; signed by ${signer}`;
      details.append(el("li", { "data-testid": "provenance-c2pa" }, text + "."));
    }
    for (const signal of signals) {
      details.append(el("li", {}, `${signal.source.toUpperCase()} ${signal.name}: ${signal.value}`));
    }
    box.hidden = false;
  }

  function showDownloads(body, jobId) {
    const place = $("downloads");
    const json = new Blob([JSON.stringify(body, null, 2)], { type: "application/json" });
    place.append(el("a", { href: URL.createObjectURL(json), download: "result.json" }, "Download the answer (JSON)"));
    if (jobId) {
      const kind = Array.isArray(body.persons) ? "video (MP4)" : "image (PNG)";
      const link = el("a", { href: `/v1/jobs/${jobId}/annotated` }, `Annotated ${kind}`);
      link.dataset.filename = Array.isArray(body.persons) ? "annotated.mp4" : "annotated.png";
      link.addEventListener("click", openWithKey);
      place.append(" · ", link);
    }
  }

  // ---- image ----

  function percent(value, total) {
    return `${(100 * value) / total}%`;
  }

  function placeBox(node, box, size) {
    node.style.left = percent(box.x1, size.width);
    node.style.top = percent(box.y1, size.height);
    node.style.width = percent(box.x2 - box.x1, size.width);
    node.style.height = percent(box.y2 - box.y1, size.height);
  }

  function deciderTag() {
    return el("span", { class: "decider", "data-testid": "decider" }, "decided the verdict");
  }

  // Captions of faces close together (a group photo, a narrow window) would cover each other:
  // then every caption shows its face's number only; the table below has the rest.
  function declutterCaptions() {
    const frame = $("picture-frame");
    frame.classList.remove("compact-tags");
    const boxes = [...frame.querySelectorAll(".face-box .tag")].map((tag) => tag.getBoundingClientRect());
    const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    if (boxes.some((a, i) => boxes.slice(i + 1).some((b) => overlap(a, b)))) frame.classList.add("compact-tags");
  }

  function showImage(body, file, decider) {
    $("image-result").hidden = false;
    $("picture").src = objectUrl;
    const frame = $("picture-frame");
    const rows = $("faces-table").tBodies[0];
    const explained = { answer: null, file };
    body.faces.forEach((face, index) => {
      const box = el("div", {
        class: "face-box " + labelClass(face.label),
        "data-testid": "face-box",
        role: "img",
        "aria-label": `Face ${index + 1}: ${face.label}, fake probability ${score(face.fake_probability)}`,
      });
      placeBox(box, face.box, body.image);
      // A caption over the right half runs leftwards, so it never leaves the picture.
      if (face.box.x1 + face.box.x2 > body.image.width) box.classList.add("near-right");
      const tag = el("span", { class: "tag" }, String(index + 1));
      tag.append(el("span", { class: "tag-detail" }, ` ${face.label} ${score(face.fake_probability)}`));
      box.append(tag);
      frame.append(box);

      const row = el("tr");
      row.append(el("td", {}, String(index + 1)));
      const labelCell = el("td");
      labelCell.append(labelChip(face.label));
      if (face.reason) labelCell.append(" ", el("span", { class: "hint" }, face.reason.replace(/_/g, " ")));
      if (index === decider) labelCell.append(" ", deciderTag());
      row.append(labelCell);
      row.append(el("td", {}, score(face.fake_probability)));
      row.append(el("td", {}, score(face.detector_confidence)));
      const b = face.box;
      row.append(el("td", {}, [b.x1, b.y1, b.x2, b.y2].map((v) => Math.round(v)).join(", ")));
      const explainCell = el("td");
      const button = el("button", { type: "button" }, "Show heatmap");
      button.addEventListener("click", () => explain(index, body, explained, explainCell, button));
      explainCell.append(button);
      row.append(explainCell);
      rows.append(row);
    });
    const picture = $("picture");
    if (picture.complete) declutterCaptions();
    else picture.addEventListener("load", declutterCaptions, { once: true });
    const skipped = body.skipped_faces || [];
    $("summary").textContent = `${body.image.width}×${body.image.height} pixels, ${body.faces.length} face(s) scored ` +
      `with ${body.model.name} ${body.model.version} (threshold ${score(body.threshold)}, detector ${body.detector}).`;
    if (skipped.length) {
      const reasons = skipped.map((s) => s.reason).join(", ");
      $("skipped").textContent = `${skipped.length} more face(s) not scored: ${reasons}.`;
    }
  }

  async function explain(index, body, explained, cell, button) {
    const existing = cell.querySelector("img.heatmap");
    if (existing) {
      existing.remove();
      document.querySelector(`#picture-frame .heat[data-face="${index}"]`)?.remove();
      button.textContent = "Show heatmap";
      return;
    }
    const mine = generation;
    button.disabled = true;
    button.textContent = "Computing…";
    try {
      if (!explained.answer) {
        const form = new FormData();
        form.append("file", explained.file, explained.file.name);
        form.append("explain", "true");
        form.append("threshold", String(body.threshold));
        form.append("detector", body.detector);
        explained.answer = await post("/v1/images", form);
      }
      if (mine !== generation) return;
      const face = explained.answer.faces[index];
      if (!face || !face.explanation) throw new ApiError("No explanation came back for this face.", "no_explanation", 0);
      const source = "data:image/png;base64," + face.explanation.heatmap_png_base64;
      const description = `Heatmap of face ${index + 1}: warm colours mark the regions whose occlusion lowered its fake probability most`;
      cell.prepend(el("img", { class: "heatmap", src: source, alt: description }));
      if (!document.querySelector("#image-result .heatmap-legend")) {
        $("faces-table").after(heatmapLegend(await wordingReady));
      }
      const overlay = el("img", { class: "heat", src: source, alt: "" });
      placeBox(overlay, face.explanation.region, body.image);
      overlay.dataset.face = String(index);
      $("picture-frame").append(overlay);
      button.textContent = "Hide heatmap";
    } catch (error) {
      showError(error.message || String(error));
      button.textContent = "Show heatmap";
    } finally {
      button.disabled = false;
    }
  }

  // ---- video ----

  function showVideo(body, decider) {
    $("video-result").hidden = false;
    const v = body.video;
    $("summary").textContent = `${v.width}×${v.height}, ${v.duration_s.toFixed(1)} s, ${body.sampled_frames} frames sampled, ` +
      `${body.persons.length} person(s); a person's score is the ${body.aggregate} of its frames ` +
      `(threshold ${score(body.threshold)}, ${body.model.name} ${body.model.version}).`;
    const player = $("player");
    player.src = objectUrl;
    const persons = $("persons");
    if (!body.persons.length) persons.append(el("p", {}, "No face was found in the sampled frames."));
    // The person who decided the verdict comes first; the others keep their order.
    const ordered = decider === null ? body.persons : [body.persons[decider], ...body.persons.filter((_, i) => i !== decider)];
    ordered.forEach((person) => {
      const name = personName(person.id);
      const section = el("section", { class: "person", "aria-label": `Person ${name}` });
      const title = el("h3", {}, `Person ${name}: `);
      title.append(labelChip(person.label), ` score ${score(person.score)}, seen in ${person.timeline.length} sampled frame(s)`);
      if (person.reason) title.append(" ", el("span", { class: "hint" }, `(${person.reason.replace(/_/g, " ")})`));
      if (person === body.persons[decider]) title.append(" ", deciderTag());
      section.append(title, chart(person, body), thumbnails(person));
      if (person.explanation) section.append(personHeatmap(person, nearThreshold(person.score, body)));
      persons.append(section);
    });
    drawThumbnails(body).catch(() => {
      // The browser may not decode this codec: the thumbnails stay empty, the rest is shown.
    });
  }

  // A person near or above the threshold shows its heatmap; any other offers it on request.
  function personHeatmap(person, shown) {
    const e = person.explanation;
    const caption = `Heatmap of person ${personName(person.id)}'s highest-scoring face (frame ${e.frame_index}, ` +
      `${e.timestamp_s.toFixed(2)} s, score ${score(e.fake_probability)}): warm colours mark the regions ` +
      "whose occlusion lowered its fake probability most";
    const figure = el("figure", { class: "person-heatmap", "data-testid": "person-heatmap" });
    const legend = heatmapLegend(null);
    wordingReady.then((words) => legend.replaceWith(heatmapLegend(words)));
    const text = el("figcaption", {}, caption);
    figure.append(
      el("img", { class: "heatmap", src: "data:image/png;base64," + e.heatmap_png_base64, alt: caption }),
      text,
    );
    text.append(legend);
    if (shown) return figure;
    figure.hidden = true;
    const wrap = el("div");
    const button = el("button", { type: "button", "data-testid": "show-person-heatmap" }, "Show heatmap");
    button.addEventListener("click", () => {
      figure.hidden = !figure.hidden;
      button.textContent = figure.hidden ? "Show heatmap" : "Hide heatmap";
    });
    wrap.append(el("span", { class: "hint" }, "Well below the threshold: no heatmap unless you ask. "), button, figure);
    return wrap;
  }

  function chart(person, body) {
    const width = 640;
    const height = 180;
    const pad = { left: 40, right: 12, top: 12, bottom: 28 };
    const duration = Math.max(body.video.duration_s, 1e-6);
    const x = (t) => pad.left + ((width - pad.left - pad.right) * t) / duration;
    const y = (p) => pad.top + (height - pad.top - pad.bottom) * (1 - p);
    const root = svg("svg", {
      class: "timeline",
      viewBox: `0 0 ${width} ${height}`,
      role: "group",
      "data-testid": "timeline",
      "aria-label": `Fake probability of person ${personName(person.id)} over time; threshold ${score(body.threshold)}`,
    });
    root.append(svg("rect", { x: pad.left, y: pad.top, width: width - pad.left - pad.right, height: height - pad.top - pad.bottom, fill: "#f3f5f8", stroke: "#c5ccd6" }));
    for (const p of [0, 0.5, 1]) {
      const label = svg("text", { x: pad.left - 6, y: y(p) + 4, "text-anchor": "end", "font-size": 11, fill: "#4a5360" });
      label.textContent = p.toFixed(1);
      root.append(label);
    }
    for (const t of [0, duration / 2, duration]) {
      const label = svg("text", { x: x(t), y: height - 8, "text-anchor": "middle", "font-size": 11, fill: "#4a5360" });
      label.textContent = `${t.toFixed(1)} s`;
      root.append(label);
    }
    const threshold = svg("line", { x1: pad.left, x2: width - pad.right, y1: y(body.threshold), y2: y(body.threshold), stroke: "#b3261e", "stroke-dasharray": "6 4", class: "threshold" });
    const thresholdLabel = svg("text", { x: width - pad.right - 4, y: y(body.threshold) - 4, "text-anchor": "end", "font-size": 11, fill: "#b3261e" });
    thresholdLabel.textContent = `threshold ${score(body.threshold)}`;
    root.append(threshold, thresholdLabel);
    const points = person.timeline.map((s) => `${x(s.timestamp_s)},${y(s.fake_probability)}`).join(" ");
    root.append(svg("polyline", { points, fill: "none", stroke: "#1b1f24", "stroke-width": 2 }));
    person.timeline.forEach((sample) => {
      const dot = svg("circle", {
        class: "point",
        cx: x(sample.timestamp_s),
        cy: y(sample.fake_probability),
        r: 5,
        fill: sample.fake_probability >= body.threshold ? "#b3261e" : "#0f6b2f",
        tabindex: 0,
        role: "button",
        "aria-label": `${sample.timestamp_s.toFixed(2)} s, frame ${sample.frame_index}: fake probability ${score(sample.fake_probability)}; show this frame`,
      });
      const open = () => showFrame(sample, person);
      dot.addEventListener("click", open);
      dot.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          open();
        }
      });
      root.append(dot);
    });
    return root;
  }

  function showFrame(sample, person) {
    const view = $("frame-view");
    view.hidden = false;
    const player = $("player");
    player.pause();
    player.currentTime = sample.timestamp_s;
    $("frame-caption").textContent = `Person ${personName(person.id)} at ${sample.timestamp_s.toFixed(2)} s (frame ${sample.frame_index}): ` +
      `fake probability ${score(sample.fake_probability)}.`;
    view.scrollIntoView({ block: "nearest" });
  }

  function thumbnailSamples(person) {
    const timeline = person.timeline;
    const count = Math.min(THUMBS_PER_PERSON, timeline.length);
    const chosen = [];
    for (let i = 0; i < count; i += 1) chosen.push(timeline[Math.floor((i * timeline.length) / count)]);
    return chosen;
  }

  function thumbnails(person) {
    const strip = el("div", { class: "thumbs", "aria-label": `Sampled faces of person ${personName(person.id)}` });
    for (const sample of thumbnailSamples(person)) {
      const label = `Face at ${sample.timestamp_s.toFixed(2)} s, fake probability ${score(sample.fake_probability)}`;
      if (sample.thumbnail_jpeg_base64) {
        strip.append(el("img", { width: 64, height: 64, alt: label, "data-testid": "face-thumbnail", src: "data:image/jpeg;base64," + sample.thumbnail_jpeg_base64 }));
        continue;
      }
      const canvas = el("canvas", { width: 64, height: 64, role: "img", "aria-label": `Face at ${sample.timestamp_s.toFixed(2)} s, fake probability ${score(sample.fake_probability)}` });
      canvas.dataset.person = String(person.id);
      canvas.dataset.time = String(sample.timestamp_s);
      canvas.dataset.box = JSON.stringify(sample.box);
      strip.append(canvas);
    }
    return strip;
  }

  function once(target, event, timeoutMs) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event}`)), timeoutMs);
      target.addEventListener(event, () => { clearTimeout(timer); resolve(); }, { once: true });
      target.addEventListener("error", () => { clearTimeout(timer); reject(new Error("video error")); }, { once: true });
    });
  }

  async function drawThumbnails(body) {
    const mine = generation;
    const canvases = [...document.querySelectorAll("#persons canvas")];
    if (!canvases.length) return;
    const video = document.createElement("video");
    video.muted = true;
    video.preload = "auto";
    video.src = objectUrl;
    await once(video, "loadeddata", 10000);
    const scaleX = video.videoWidth / body.video.width;
    const scaleY = video.videoHeight / body.video.height;
    for (const canvas of canvases) {
      if (mine !== generation) return;
      video.currentTime = Number(canvas.dataset.time);
      await once(video, "seeked", 5000);
      const box = JSON.parse(canvas.dataset.box);
      const side = Math.max(box.x2 - box.x1, box.y2 - box.y1);
      const cx = (box.x1 + box.x2) / 2;
      const cy = (box.y1 + box.y2) / 2;
      canvas.getContext("2d").drawImage(video, (cx - side / 2) * scaleX, (cy - side / 2) * scaleY, side * scaleX, side * scaleY, 0, 0, 64, 64);
    }
  }

  // ---- wiring ----

  function init() {
    window.addEventListener("resize", () => {
      if (!$("image-result").hidden) declutterCaptions();
    });
    const input = $("file");
    input.addEventListener("change", () => {
      if (input.files.length) analyse(input.files[0]);
    });
    const zone = $("drop-zone");
    for (const type of ["dragenter", "dragover"]) {
      zone.addEventListener(type, (event) => {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    }
    for (const type of ["dragleave", "drop"]) {
      zone.addEventListener(type, () => zone.classList.remove("dragging"));
    }
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      const file = event.dataTransfer.files[0];
      if (file) analyse(file);
    });
    $("result-title").setAttribute("tabindex", "-1");
    $("key-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const key = $("api-key").value.trim();
      if (key) answerKeyRequest(key);
    });
    $("key-cancel").addEventListener("click", () => answerKeyRequest(null));
    $("forget-key").addEventListener("click", () => storeKey(null));
    storeKey(storedKey());
    wordingReady.then(showLimits);
  }

  init();
})();
