// The hook for scenarios other parts add without touching run.ts or report.ts: a file
// `bench/scenarios/<name>.ts` exporting `scenario: Scenario` is run by `npm run bench` (after the
// built-in ones; `--only extra` or `--scenario NAME` runs only those) and rendered as its own section of
// RESULTS.md — its figures, each beside the baseline measured in the same run and its target.
// Examples waiting for their owners: `status --verify` cost, upstream rate units with a token vs
// anonymous, the diff budget.

export interface ScenarioContext {
  /** `--quick`: keep it to a few seconds (CI runs it) */
  quick: boolean;
  log: (line: string) => void;
}

export interface ScenarioFigure {
  /** what is measured, e.g. "status --verify, N = 1,000" */
  figure: string;
  /** the measured value with its unit, e.g. "412 ms" */
  value: string;
  /** the same-run baseline it is compared with, e.g. "status 380 ms" */
  baseline?: string;
  /** the goal, e.g. "≤ 1.2 × status" */
  target?: string;
  /** whether the target was met; undefined when there is no target */
  met?: boolean;
}

export interface ScenarioResult {
  name: string;
  title: string;
  figures: ScenarioFigure[];
  /** free text under the table: method, caveats */
  notes?: string[];
  /** anything wrong (a wrong answer, a failed step): fails the bench run */
  problems: string[];
}

export interface Scenario {
  /** file-system-safe, e.g. "verify" */
  name: string;
  title: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}
