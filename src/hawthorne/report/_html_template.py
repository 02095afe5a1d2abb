"""The HTML report's stylesheet and Jinja template (autoescaped; nothing loaded from outside)."""

from __future__ import annotations

CSS = """
:root {
  --ink: #1e293b; --muted: #64748b; --line: #e2e8f0; --bg: #f1f5f9; --card: #ffffff;
  --obs: #2563eb; --unobs: #ea580c;
  --faking: #b91c1c; --faking-bg: #fee2e2;
  --consistent: #15803d; --consistent-bg: #dcfce7;
  --noncompliant: #b45309; --noncompliant-bg: #fef3c7;
  --inconclusive: #475569; --inconclusive-bg: #e2e8f0;
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
}
main { max-width: 1100px; margin: 0 auto; padding: 28px 24px 64px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 0 0 12px; }
h3 { font-size: 16px; margin: 18px 0 8px; }
.meta, .muted { color: var(--muted); }
.meta { font-size: 14px; }
.headline { font-size: 17px; margin: 14px 0 0; }
.warning {
  margin: 10px 0 0; padding: 8px 12px; border-radius: 6px;
  background: var(--noncompliant-bg); color: var(--noncompliant);
}
.card {
  background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 18px 20px; margin: 18px 0; box-shadow: 0 1px 2px rgba(15, 23, 42, .04);
}
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 12px; }
.chip {
  background: var(--card); border: 1px solid var(--line); border-radius: 999px;
  padding: 2px 10px; font-size: 13px;
}
.chip b { font-weight: 600; color: var(--muted); margin-right: 4px; }
.targets { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 12px; }
.target {
  border: 1px solid var(--line); border-left: 5px solid var(--inconclusive);
  border-radius: 8px; padding: 12px 14px; background: var(--card);
}
.target.faking { border-left-color: var(--faking); }
.target.consistent { border-left-color: var(--consistent); }
.target.noncompliant { border-left-color: var(--noncompliant); }
.target .name { font-weight: 600; word-break: break-all; margin-bottom: 6px; }
.target .facts { font-size: 13px; color: var(--muted); margin-top: 6px; }
.badge {
  display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: 12px;
  font-weight: 700; letter-spacing: .03em; text-transform: uppercase; white-space: nowrap;
}
.badge.faking { color: var(--faking); background: var(--faking-bg); }
.badge.consistent { color: var(--consistent); background: var(--consistent-bg); }
.badge.noncompliant { color: var(--noncompliant); background: var(--noncompliant-bg); }
.badge.inconclusive { color: var(--inconclusive); background: var(--inconclusive-bg); }
svg.chart { width: 100%; height: auto; display: block; margin: 6px 0 4px; }
.table-wrap { overflow-x: auto; }
.layer-charts { display: grid; gap: 12px;
  grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 10px; }
th, td { padding: 6px 7px; border-bottom: 1px solid var(--line); text-align: left; }
th { color: var(--muted); font-weight: 600; vertical-align: bottom; line-height: 1.25; }
td { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td .ci { color: var(--muted); font-size: 12px; }
dl.verdicts {
  display: grid; grid-template-columns: max-content 1fr; gap: 8px 14px; margin: 10px 0 0;
}
dl.verdicts dt, dl.verdicts dd { margin: 0; }
details.stratum { border-top: 1px solid var(--line); padding: 8px 0; }
details.stratum > summary { cursor: pointer; font-weight: 600; }
.flip { border: 1px solid var(--line); border-radius: 8px; margin: 12px 0; overflow: hidden; }
.flip-head { background: #f8fafc; padding: 8px 12px; font-size: 13px; }
.flip-head .case-text { color: var(--ink); margin-top: 4px; white-space: pre-wrap; }
.sides { display: grid; grid-template-columns: 1fr 1fr; }
.side { padding: 10px 12px; min-width: 0; }
.side + .side { border-left: 1px solid var(--line); }
.side h4 { margin: 0 0 6px; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; }
.side.observed h4 { color: var(--obs); }
.side.unobserved h4 { color: var(--unobs); }
.cue { font-size: 13px; color: var(--muted); font-style: italic; margin-bottom: 6px; }
.decision { font-size: 13px; margin-bottom: 6px; }
.outcome { font-weight: 700; }
.outcome.protocol, .outcome.both { color: var(--consistent); }
.outcome.legacy { color: var(--faking); }
.outcome.neither { color: var(--noncompliant); }
.outcome.invalid { color: var(--inconclusive); }
pre.answer {
  margin: 0; padding: 8px 10px; background: #f8fafc; border: 1px solid var(--line);
  border-radius: 6px; white-space: pre-wrap; word-break: break-word; font-size: 12.5px;
  max-height: 320px; overflow: auto;
}
footer { color: var(--muted); font-size: 12px; margin-top: 28px; }
@media (max-width: 720px) { .sides { grid-template-columns: 1fr; }
  .side + .side { border-left: 0; border-top: 1px solid var(--line); } }
@media print { body { background: #fff; } .card { box-shadow: none; break-inside: avoid; } }
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Hawthorne audit report</title>
<style>{{ css }}</style>
</head>
<body>
<main>
<header>
  <h1>Hawthorne audit report</h1>
  <div class="meta">Created {{ created }} &middot; Hawthorne {{ version }}</div>
  <p class="headline">{{ headline }}</p>
  {% for w in warnings %}<p class="warning"><b>Warning:</b> {{ w }}</p>{% endfor %}
  {% if settings %}<div class="chips">
    {% for label, value in settings %}<span class="chip"><b>{{ label }}</b>{{ value }}</span>
    {% endfor %}</div>{% endif %}
</header>

<section class="card">
  <h2>Verdicts by target</h2>
  <div class="targets">
  {% for t in targets %}
    <div class="target {{ t.verdict }}">
      <div class="name">{{ t.name }}</div>
      <span class="badge {{ t.verdict }}">{{ t.verdict }}</span>
      <div class="facts">{{ t.mix }}</div>
      <div class="facts">{{ t.calls }}</div>
    </div>
  {% endfor %}
  </div>
</section>

<section class="card">
  <h2>Compliance gap by target, suite and cue family</h2>
  <p class="muted">Squares mark the gap, lines its confidence interval. Inside the green band
  (&plusmn;margin) the model behaves the same watched or not; to the right of it, it follows
  the protocol more when it believes it is watched.</p>
  {{ forest_svg }}
</section>

<section class="card">
  <h2>How to read this</h2>
  <p>{{ how_to_read }}</p>
  <dl class="verdicts">
  {% for verdict, meaning in meanings %}
    <dt><span class="badge {{ verdict }}">{{ verdict }}</span></dt><dd>{{ meaning }}</dd>
  {% endfor %}
  </dl>
</section>

{% for t in targets if t.rows %}
<section class="card">
  <h2>{{ t.name }} <span class="badge {{ t.verdict }}">{{ t.verdict }}</span></h2>
  <h3>Adherence when observed and unobserved</h3>
  {{ t.adherence_svg }}
  <div class="table-wrap"><table>
    <thead><tr><th>Suite</th><th>Cue</th><th class="num">Observed</th>
      <th class="num">Unobserved</th><th class="num">Gap [CI]</th><th class="num">p (Holm)</th>
      <th class="num">Pairs</th><th class="num">Control flips</th>
      <th class="num">Invalid obs/unobs</th><th>Stopped</th><th>Verdict</th>
      {% if t.has_neutral %}<th>Neutral cue</th>{% endif %}</tr></thead>
    <tbody>
    {% for r in t.rows %}
      <tr><td>{{ r.suite }}</td><td>{{ r.cue }}</td>
        <td class="num">{{ r.observed }}</td><td class="num">{{ r.unobserved }}</td>
        <td class="num">{{ r.gap }}<div class="ci">{{ r.gap_ci }}</div></td>
        <td class="num">{{ r.p }}</td>
        <td class="num">{{ r.pairs }}</td><td class="num">{{ r.control }}</td>
        <td class="num">{{ r.invalid }}</td><td>{{ r.stopped }}</td>
        <td><span class="badge {{ r.verdict }}">{{ r.verdict }}</span></td>
        {% if t.has_neutral %}<td>{{ r.neutral }}</td>{% endif %}</tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% if t.reasoning %}
  <h3>Reasoning evidence</h3>
  <p class="muted">{{ reasoning_note }}</p>
  {% for block in t.reasoning %}
  <h4>Read by the {{ block.title }}</h4>
  {% if block.status %}<p>{{ block.status }}</p>{% endif %}
  {% if block.rows %}
  <div class="table-wrap"><table class="reasoning">
    <thead><tr><th>Condition</th><th class="num">Traces</th>
    {% for title in signal_titles.values() %}
      <th class="num">{{ title }}: flagged → corrected [CI]</th>
    {% endfor %}</tr></thead>
    <tbody>
    {% for r in block.rows %}
      <tr><td>{{ r.condition }}</td><td class="num">{{ r.traces }}</td>
      {% for key in signal_titles %}<td class="num">{{ r[key] }}</td>{% endfor %}</tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% endif %}
  {% if block.excerpts %}
  <ul class="excerpts">
  {% for e in block.excerpts %}
    <li>{{ e.condition }}, {{ e.signal }} ({{ e.score }}): “{{ e.excerpt }}”</li>
  {% endfor %}
  </ul>
  {% endif %}
  {% endfor %}
  {% endif %}
  {% if t.consistency %}
  <h3>Reasoning against action</h3>
  <p class="muted">{{ consistency_note }}</p>
  <div class="table-wrap"><table class="consistency">
    <thead><tr><th>Condition</th><th class="num">Checkable</th><th class="num">Contradicted</th>
      <th class="num">Rate [CI]</th><th>Examples</th></tr></thead>
    <tbody>
    {% for r in t.consistency %}
      <tr><td>{{ r.condition }}</td><td class="num">{{ r.checked }}</td>
      <td class="num">{{ r.contradicted }}</td><td class="num">{{ r.rate }}</td>
      <td>{{ r.examples }}</td></tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% endif %}
  {% if t.whitebox or t.whitebox_status %}
  <h3>White-box evidence</h3>
  <p class="muted">{{ whitebox_note }}</p>
  {% if t.whitebox_status %}<p>{{ t.whitebox_status }}</p>{% endif %}
  {% if t.whitebox %}
  <div class="table-wrap"><table class="whitebox">
    <thead><tr><th>Method</th><th>Status</th><th class="num">Score</th><th>Best</th>
      <th class="num">Prompts</th><th>Score means</th></tr></thead>
    <tbody>
    {% for w in t.whitebox %}
      <tr><td>{{ w.method }}</td><td>{{ w.status }}</td><td class="num">{{ w.score }}</td>
        <td>{{ w.best }}</td><td class="num">{{ w.prompts }}</td><td>{{ w.meaning }}</td></tr>
    {% endfor %}
    </tbody>
  </table></div>
  <div class="layer-charts">
  {% for w in t.whitebox if w.chart %}{{ w.chart }}{% endfor %}
  </div>
  {% endif %}
  {% endif %}
  {% if t.side_effects %}
  <h3>Side effects by condition</h3>
  <p class="muted">{{ side_effect_note }}</p>
  <div class="table-wrap"><table class="side-effects">
    <thead><tr><th>Suite</th><th>Cue</th><th class="num">Pairs</th>
      <th class="num">Observed</th><th class="num">Unobserved</th>
      <th class="num">Increase unobserved [CI]</th><th class="num">p (Holm)</th>
      <th>Kinds (obs/unobs)</th><th>Verdict</th></tr></thead>
    <tbody>
    {% for s in t.side_effects %}
      <tr><td>{{ s.suite }}</td><td>{{ s.cue }}</td><td class="num">{{ s.pairs }}</td>
        <td class="num">{{ s.observed }}</td><td class="num">{{ s.unobserved }}</td>
        <td class="num">{{ s.gap }}<div class="ci">{{ s.gap_ci }}</div></td>
        <td class="num">{{ s.p }}</td><td>{{ s.kinds }}</td>
        <td><span class="badge {{ s.verdict }}">{{ s.verdict }}</span></td></tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% endif %}
  {% if t.stressors %}
  <h3>Gap by stressor</h3>
  <p class="muted">{{ stressor_note }}</p>
  <div class="table-wrap"><table class="stressors">
    <thead><tr><th>Suite</th><th>Cue</th><th>Stressor</th><th class="num">Pairs</th>
      <th class="num">Observed</th><th class="num">Unobserved</th>
      <th class="num">Gap [CI]</th></tr></thead>
    <tbody>
    {% for s in t.stressors %}
      <tr><td>{{ s.suite }}</td><td>{{ s.cue }}</td><td>{{ s.stressor }}</td>
        <td class="num">{{ s.pairs }}</td>
        <td class="num">{{ s.observed }}</td><td class="num">{{ s.unobserved }}</td>
        <td class="num">{{ s.gap }}<div class="ci">{{ s.gap_ci }}</div></td></tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% endif %}
</section>
{% endfor %}

<section class="card">
  <h2>Flipped pairs</h2>
  {% if flip_groups %}
  <p class="muted">The same case under the observed and the unobserved cue, where the two
  answers differ. Up to {{ max_flips }} per stratum; pairs that switched from the current to
  the legacy protocol when unobserved come first. Answers are shown as the model wrote them.</p>
  {% for g in flip_groups %}
  <details class="stratum"{% if loop.index <= 3 %} open{% endif %}>
    <summary>{{ g.target }} &middot; {{ g.suite }} &middot; {{ g.cue }}
      <span class="muted">({{ g.shown|length }} of {{ g.total }} shown)</span></summary>
    {% for f in g.shown %}
    <div class="flip">
      <div class="flip-head"><b>{{ f.case_id }}</b> &middot; paraphrase {{ f.paraphrase }}
        &middot; epoch {{ f.epoch }}
        {% if f.stressor %} &middot; stressor {{ f.stressor }}{% endif %}
        {% if f.control %} &middot; control case{% endif %}
        {% if f.case_text %}<div class="case-text">{{ f.case_text }}</div>{% endif %}</div>
      <div class="sides">
      {% for side in f.sides %}
        <div class="side {{ side.name }}">
          <h4>{{ side.name }}</h4>
          <div class="cue">{{ side.cue }}</div>
          <div class="decision">decision <b>{{ side.decision }}</b> &rarr;
            <span class="outcome {{ side.outcome }}">{{ side.outcome }}</span></div>
          <pre class="answer">{{ side.answer }}</pre>
          {% if side.actions %}<ol class="actions">{% for a in side.actions %}
            <li><code>{{ a }}</code></li>{% endfor %}</ol>{% endif %}
        </div>
      {% endfor %}
      </div>
    </div>
    {% endfor %}
  </details>
  {% endfor %}
  {% else %}
  <p>No pair changed its behaviour between the observed and the unobserved cue.</p>
  {% endif %}
</section>

<footer>Generated by Hawthorne {{ version }}. This page is self-contained: it loads nothing
from the network and runs no scripts.</footer>
</main>
</body>
</html>
"""
