// drainer dashboard: renders each snapshot pushed on /events and counts the
// drains' deadlines down between snapshots, on the world's clock.
"use strict";

let last = null;      // the latest snapshot
let receivedAt = 0;   // performance.now() when it came

// worldNow estimates the world's clock now (it may run faster than ours).
function worldNow() {
  if (!last) return 0;
  return Date.parse(last.time) + (performance.now() - receivedAt) * (last.speed ?? 1);
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) {
    if (c == null) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

function hms(t) {
  if (!t) return "";
  const d = new Date(t);
  return d.toISOString().slice(11, 19);
}

function dur(ms) {
  const neg = ms < 0;
  let s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const p = (n) => String(n).padStart(2, "0");
  const txt = h > 0 ? `${h}h ${p(m)}m ${p(s)}s` : `${m}m ${p(s)}s`;
  return neg ? `${txt} ago` : txt;
}

function stateClass(s) {
  if (s === "InService" || s === "ACTIVE" || s === "Successful" || s === "Healthy") return "state ok";
  if (/Wait|DRAINING|InProgress|Pending|WaitingFor/.test(s)) return "state wait";
  if (/Failed|Cancelled|Unhealthy|INACTIVE/.test(s)) return "state bad";
  return "state info";
}

function fill(tbody, rows) {
  tbody.replaceChildren(...rows);
}

function renderGroups(s) {
  const box = document.getElementById("groups");
  const parts = [];
  for (const g of s.groups) {
    const rows = g.instances.map((i) => el("tr", { "data-instance": i.instanceId },
      el("td", { class: "mono" }, i.instanceId),
      el("td", { class: stateClass(i.lifecycleState) + " lifecycle" }, i.lifecycleState),
      el("td", {}, i.healthStatus),
      el("td", {}, i.availabilityZone),
      el("td", {}, i.protectedFromScaleIn ? "Protected" : "–"),
      el("td", {}, (i.pendingHooks || []).join(", "))));
    parts.push(el("h3", {}, `${g.name} · desired ${g.desired} (min ${g.min}, max ${g.max})`));
    const t = el("table", { class: "group", "data-group": g.name },
      el("thead", {}, el("tr", {}, ...["Instance ID", "Lifecycle", "Health", "Availability Zone", "Scale-in protection", "Lifecycle hooks waiting"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...rows));
    parts.push(t);
  }
  if (parts.length === 0) parts.push(el("p", { class: "empty" }, "No Auto Scaling group."));
  box.replaceChildren(...parts);
}

function renderClusters(s) {
  const box = document.getElementById("clusters");
  const parts = [];
  for (const c of s.clusters) {
    const rows = c.containerInstances.map((ci) => el("tr", { "data-instance": ci.ec2InstanceId },
      el("td", { class: "mono", title: ci.id }, ci.id.length > 14 ? ci.id.slice(0, 12) + "…" : ci.id),
      el("td", { class: "mono" }, ci.ec2InstanceId),
      el("td", { class: stateClass(ci.status) + " status" }, ci.status),
      el("td", {}, ci.agentConnected ? "true" : "false"),
      el("td", {}, ci.runningTasksCount),
      el("td", {}, ci.pendingTasksCount)));
    parts.push(el("h3", {}, `cluster ${c.name}`));
    parts.push(el("table", { class: "cluster", "data-cluster": c.name },
      el("thead", {}, el("tr", {}, ...["Container instance", "EC2 instance", "Status", "Agent connected", "Running tasks", "Pending tasks"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...rows)));
  }
  if (parts.length === 0) parts.push(el("p", { class: "empty" }, "No ECS cluster."));
  box.replaceChildren(...parts);
}

function renderActivities(s) {
  fill(document.querySelector("#activities tbody"), s.activities.map((a) => el("tr", {},
    el("td", { class: stateClass(a.status) }, a.status),
    el("td", {}, a.description),
    el("td", { class: "cause" }, el("div", { class: "clamp", title: a.cause }, a.cause)),
    el("td", { class: "mono" }, hms(a.start)),
    el("td", { class: "mono" }, a.end ? hms(a.end) : ""))));
}

function renderTimeline(s) {
  fill(document.querySelector("#timeline tbody"), s.timeline.map((e) => el("tr", { "data-instance": e.instanceId },
    el("td", { class: "mono" }, hms(e.time)),
    el("td", { class: "mono" }, e.instanceId),
    el("td", {}, e.type + (e.phase && e.type === "Drain Phase Changed" ? ` → ${e.phase}` : "")),
    el("td", { class: "cause" }, (e.detail || "") + (e.overdue ? " (forced out at its hard deadline)" : "")))));
}

function renderDrains(s) {
  const rows = s.drains.map((d) => {
    const tasks = el("td", { class: "tasks" });
    if (d.tasksLeft) {
      for (const k of ["service", "standalone", "daemon"]) {
        if (d.tasksLeft[k]) tasks.append(el("span", {}, `${d.tasksLeft[k]} ${k}`));
      }
      if (!tasks.childNodes.length) tasks.append("none");
    }
    const started = Date.parse(d.started), grace = Date.parse(d.gracefulUntil), hard = Date.parse(d.deadline);
    const bar = el("div", { class: "bar" },
      el("div", { class: "fill" }),
      el("div", { class: "mark", title: "end of the graceful phase" }));
    bar.querySelector(".mark").style.left = `${Math.max(0, Math.min(100, 100 * (grace - started) / (hard - started || 1)))}%`;
    return el("tr", { "data-instance": d.instanceId, "data-started": started, "data-grace": grace, "data-hard": hard },
      el("td", { class: "mono" }, d.instanceId),
      el("td", {}, d.reason),
      el("td", { class: stateClass(d.phase) + " phase" }, d.phase),
      tasks,
      el("td", { class: "mono" }, hms(d.started)),
      el("td", { class: "countdown grace" }),
      el("td", { class: "countdown hard" }),
      el("td", {}, bar));
  });
  fill(document.querySelector("#drains tbody"), rows);
  document.getElementById("no-drains").hidden = rows.length > 0;
  tick();
}

// tick updates the clock and the countdowns from the estimated world time.
function tick() {
  if (!last) return;
  const now = worldNow();
  document.getElementById("clock").textContent = new Date(now).toISOString().slice(0, 19).replace("T", " ") + " UTC" + (last.speed === 0 ? " · manual clock" : last.speed && last.speed !== 1 ? ` · ${last.speed}× real time` : "");
  for (const tr of document.querySelectorAll("#drains tbody tr")) {
    const started = +tr.dataset.started, grace = +tr.dataset.grace, hard = +tr.dataset.hard;
    const g = tr.querySelector(".grace"), h = tr.querySelector(".hard");
    g.textContent = dur(grace - now); g.classList.toggle("past", now > grace);
    h.textContent = dur(hard - now); h.classList.toggle("past", now > hard);
    const f = tr.querySelector(".fill");
    f.style.width = `${Math.max(0, Math.min(100, 100 * (now - started) / (hard - started || 1)))}%`;
    f.classList.toggle("hard", now > grace);
  }
}

function render(s) {
  last = s;
  receivedAt = performance.now();
  renderDrains(s);
  renderGroups(s);
  renderClusters(s);
  renderActivities(s);
  renderTimeline(s);
}

function connect() {
  const conn = document.getElementById("conn");
  const es = new EventSource("events");
  es.onopen = () => { conn.textContent = "live"; conn.className = "conn on"; };
  es.onerror = () => { conn.textContent = "reconnecting…"; conn.className = "conn off"; };
  es.onmessage = (m) => render(JSON.parse(m.data));
}

setInterval(tick, 250);
connect();
