// Upstream rate units with a token and anonymously (issue 12 item 5). The same world as the
// built-in upstream scenario (R repositories, half moved, three artifacts each), checked cold,
// inside the TTL and after it, once with a token and once without. The fake GitHub charges as
// GitHub documents: a 304 is free only "when correctly authorized"; anonymous requests, 304s
// included, spend a budget of 60 an hour. Without a token the daemon must never send a request
// GitHub would refuse: what the budget cannot cover is answered `rate-limited until HH:MM`.
import type { Scenario, ScenarioFigure, ScenarioResult } from '../scenario';
import { runUpstream, type UpstreamPhase, type UpstreamResult } from '../upstreamScenario';

function phaseText(p: UpstreamPhase): string {
  const kinds = Object.entries(p.byKind).map(([k, v]) => `${k} ${v}`).join(', ') || '—';
  return `${p.rateUnits} units — ${p.requests} requests (${kinds}), ${p.notModified} × 304, ${p.refused} refused`;
}

export const scenario: Scenario = {
  name: 'upstream-rate-units',
  title: 'Upstream checks: rate units with a token and anonymously',
  async run(ctx): Promise<ScenarioResult> {
    const sizes = ctx.quick ? [10] : [10, 50];
    const figures: ScenarioFigure[] = [];
    const problems: string[] = [];
    const runs: UpstreamResult[] = [];
    for (const repos of sizes) {
      const token = await runUpstream(repos, ctx.log, 'token');
      const anon = await runUpstream(repos, ctx.log, 'anonymous');
      runs.push(token, anon);
      for (const r of [token, anon]) problems.push(...r.problems.map((p) => `R=${repos} ${r.identity}: ${p}`));
      figures.push(
        {
          figure: `R = ${repos}, token: cold check`,
          value: phaseText(token.cold),
          baseline: `${repos} commits + ${token.movedRepos * 2} trees of moved repositories`,
          target: '≤ R + trees of new commits; 304s free',
          met: token.cold.rateUnits <= repos + token.movedRepos * 2 && token.cold.refused === 0,
        },
        {
          figure: `R = ${repos}, token: after the TTL`,
          value: phaseText(token.afterTtl),
          baseline: `cold ${token.cold.rateUnits} units`,
          target: '0 units (only 304s)',
          met: token.afterTtl.rateUnits === 0 && token.afterTtl.notModified === token.afterTtl.requests,
        },
        {
          figure: `R = ${repos}, anonymous (budget ${anon.budgetLimit}/h): cold check`,
          value: `${phaseText(anon.cold)}; ${anon.rateLimitedArtifacts?.cold ?? 0} of ${anon.artifacts} artifacts rate-limited`,
          baseline: `token: ${token.cold.rateUnits} units`,
          target: `≤ ${anon.budgetLimit} units, 0 refused`,
          met: anon.cold.refused === 0 && anon.cold.rateUnits <= (anon.budgetLimit ?? 60),
        },
        {
          figure: `R = ${repos}, anonymous: after the TTL`,
          value: `${phaseText(anon.afterTtl)}; ${anon.rateLimitedArtifacts?.afterTtl ?? 0} of ${anon.artifacts} artifacts rate-limited`,
          baseline: `token: ${token.afterTtl.rateUnits} units for the same ${token.afterTtl.requests} requests`,
          target: '0 refused (anonymous 304s cost 1 each)',
          met: anon.afterTtl.refused === 0,
        },
      );
    }
    return {
      name: 'upstream-rate-units',
      title: 'Upstream checks: rate units with a token and anonymously',
      figures,
      notes: [
        'Rate units are what the fake GitHub charged (its budget counters), not a count of non-304 answers: with a token a 304 is free; anonymously every answer, 304 included, is one of the 60 an hour — GitHub\'s "when correctly authorized" rule.',
        'A first check sends the recorded commit as the ETag (`If-None-Match: "<resolved_sha>"`, the `vnd.github.sha` media type\'s ETag is the SHA), so repositories that did not move answer 304 even cold.',
        'Anonymously, what the budget cannot cover is answered at once — `rate-limited until HH:MM`, or the earlier answer marked stale — and nothing GitHub would refuse is sent ("refused" counts 403/429 answers; it must stay 0).',
        `States after the cold checks: ${runs.map((r) => `R=${r.repos} ${r.identity}: ${JSON.stringify(r.states)}`).join('; ')}.`,
      ],
      problems,
    };
  },
};
