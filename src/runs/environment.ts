/**
 * Where a run happened: the CI provider and the git commit, branch and pull request. CI providers export these
 * as environment variables, which are read first (a CI checkout is often a detached HEAD, so git itself does not
 * know the branch); whatever is still missing is asked of `git` in the script's directory, when git is there.
 */
import { execFileSync } from 'node:child_process';

export type CiProvider = 'github-actions' | 'gitlab-ci' | 'circleci' | 'jenkins' | 'buildkite' | 'generic';
export const CI_PROVIDERS: readonly CiProvider[] = ['github-actions', 'gitlab-ci', 'circleci', 'jenkins', 'buildkite', 'generic'];

export interface GitInfo {
  commit?: string;
  branch?: string;
  /** pull/merge request number */
  pr?: string;
  /** `owner/name` or the provider's project path */
  repository?: string;
}

export interface CiInfo {
  /** null outside CI */
  provider: CiProvider | null;
  buildId?: string;
  buildUrl?: string;
}

export interface RunEnvironment {
  ci: CiInfo;
  git: GitInfo;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Runs `git ARGS` in `cwd`; its trimmed output, or undefined when git fails or is missing. */
export type GitRunner = (args: readonly string[], cwd: string) => string | undefined;

export const systemGit: GitRunner = (args, cwd) => {
  try {
    const out = execFileSync('git', args, { cwd, timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
    const s = out.trim();
    return s === '' ? undefined : s;
  } catch {
    return undefined;
  }
};

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

/** The value if set and non-empty. */
function val(v: string | undefined): string | undefined {
  const s = v?.trim();
  return s ? s : undefined;
}

function prNumber(v: string | undefined): string | undefined {
  const s = val(v);
  if (s === undefined || s === 'false') return undefined;
  const m = /(\d+)\/?$/.exec(s);
  return m ? m[1] : undefined;
}

function stripRemote(branch: string | undefined): string | undefined {
  return branch?.replace(/^refs\/heads\//, '').replace(/^origin\//, '');
}

/** The CI provider and what it says about git; git fields are absent when the provider does not set them. */
export function detectCi(env: Env): RunEnvironment {
  if (truthy(env.GITHUB_ACTIONS)) {
    const pr = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1];
    const server = val(env.GITHUB_SERVER_URL) ?? 'https://github.com';
    const repo = val(env.GITHUB_REPOSITORY);
    const runId = val(env.GITHUB_RUN_ID);
    return {
      ci: { provider: 'github-actions', buildId: runId, buildUrl: repo && runId ? `${server}/${repo}/actions/runs/${runId}` : undefined },
      // on pull_request events GITHUB_HEAD_REF is the PR's branch; GITHUB_REF_NAME would be `123/merge`
      git: { commit: val(env.GITHUB_SHA), branch: val(env.GITHUB_HEAD_REF) ?? val(env.GITHUB_REF_NAME), pr, repository: repo },
    };
  }
  if (truthy(env.GITLAB_CI)) {
    return {
      ci: { provider: 'gitlab-ci', buildId: val(env.CI_JOB_ID) ?? val(env.CI_PIPELINE_ID), buildUrl: val(env.CI_JOB_URL) ?? val(env.CI_PIPELINE_URL) },
      git: {
        commit: val(env.CI_COMMIT_SHA),
        branch: val(env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME) ?? val(env.CI_COMMIT_BRANCH) ?? val(env.CI_COMMIT_REF_NAME),
        pr: prNumber(env.CI_MERGE_REQUEST_IID),
        repository: val(env.CI_PROJECT_PATH),
      },
    };
  }
  if (truthy(env.CIRCLECI)) {
    const user = val(env.CIRCLE_PROJECT_USERNAME);
    const name = val(env.CIRCLE_PROJECT_REPONAME);
    return {
      ci: { provider: 'circleci', buildId: val(env.CIRCLE_BUILD_NUM), buildUrl: val(env.CIRCLE_BUILD_URL) },
      git: {
        commit: val(env.CIRCLE_SHA1),
        branch: val(env.CIRCLE_BRANCH),
        pr: prNumber(env.CIRCLE_PR_NUMBER) ?? prNumber(env.CIRCLE_PULL_REQUEST),
        repository: user && name ? `${user}/${name}` : undefined,
      },
    };
  }
  if (val(env.JENKINS_URL) !== undefined || val(env.JENKINS_HOME) !== undefined) {
    return {
      ci: { provider: 'jenkins', buildId: val(env.BUILD_NUMBER) ?? val(env.BUILD_ID), buildUrl: val(env.BUILD_URL) },
      git: {
        commit: val(env.GIT_COMMIT),
        // multibranch pipelines set BRANCH_NAME (CHANGE_BRANCH for PRs); the git plugin sets GIT_BRANCH as origin/x
        branch: val(env.CHANGE_BRANCH) ?? val(env.BRANCH_NAME) ?? stripRemote(val(env.GIT_BRANCH)),
        pr: prNumber(env.CHANGE_ID),
      },
    };
  }
  if (truthy(env.BUILDKITE)) {
    return {
      ci: { provider: 'buildkite', buildId: val(env.BUILDKITE_BUILD_NUMBER), buildUrl: val(env.BUILDKITE_BUILD_URL) },
      git: {
        commit: val(env.BUILDKITE_COMMIT),
        branch: val(env.BUILDKITE_BRANCH),
        pr: prNumber(env.BUILDKITE_PULL_REQUEST),
        repository: val(env.BUILDKITE_REPO),
      },
    };
  }
  if (truthy(env.CI)) return { ci: { provider: 'generic' }, git: {} };
  return { ci: { provider: null }, git: {} };
}

/**
 * The CI provider and git information of a run whose script is in `dir`. Environment variables win; git fills
 * in the commit and branch they leave out (a detached HEAD has no branch).
 */
export function detectEnvironment(env: Env, dir: string, git: GitRunner = systemGit): RunEnvironment {
  const found = detectCi(env);
  const g: GitInfo = { ...found.git };
  if (g.commit === undefined) g.commit = git(['rev-parse', 'HEAD'], dir);
  if (g.branch === undefined && g.commit !== undefined) {
    const branch = git(['rev-parse', '--abbrev-ref', 'HEAD'], dir);
    if (branch !== undefined && branch !== 'HEAD') g.branch = branch;
  }
  const out: GitInfo = {};
  for (const k of ['commit', 'branch', 'pr', 'repository'] as const) if (g[k] !== undefined) out[k] = g[k];
  const ci: CiInfo = { provider: found.ci.provider };
  if (found.ci.buildId !== undefined) ci.buildId = found.ci.buildId;
  if (found.ci.buildUrl !== undefined) ci.buildUrl = found.ci.buildUrl;
  return { ci, git: out };
}

/** Whether the environment is a CI job (runs are then recorded by default). */
export function isCi(env: Env): boolean {
  return detectCi(env).ci.provider !== null;
}
