import { describe, expect, it } from 'vitest';
import { detectCi, detectEnvironment, isCi, type GitRunner } from '../../src/runs/environment.ts';
import { recordingEnabled } from '../../src/runs/recorder.ts';
import { testNameOf } from '../../src/runs/record.ts';

const noGit: GitRunner = () => undefined;

function fakeGit(answers: Record<string, string>): GitRunner & { calls: string[] } {
  const calls: string[] = [];
  const run: GitRunner = (args, cwd) => {
    calls.push(`${cwd}: git ${args.join(' ')}`);
    return answers[args.join(' ')];
  };
  return Object.assign(run, { calls });
}

describe('CI detection', () => {
  it('GitHub Actions: pull request events take the PR branch and number', () => {
    const env = {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_SHA: 'f00d',
      GITHUB_REF: 'refs/pull/42/merge',
      GITHUB_REF_NAME: '42/merge',
      GITHUB_HEAD_REF: 'feature/faster',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_RUN_ID: '987',
      GITHUB_SERVER_URL: 'https://github.com',
    };
    expect(detectCi(env)).toEqual({
      ci: { provider: 'github-actions', buildId: '987', buildUrl: 'https://github.com/acme/shop/actions/runs/987' },
      git: { commit: 'f00d', branch: 'feature/faster', pr: '42', repository: 'acme/shop' },
    });
    const push = detectCi({ GITHUB_ACTIONS: 'true', GITHUB_SHA: 'beef', GITHUB_REF: 'refs/heads/main', GITHUB_REF_NAME: 'main', GITHUB_HEAD_REF: '' });
    expect(push.git).toMatchObject({ commit: 'beef', branch: 'main' });
    expect(push.git.pr).toBeUndefined();
  });

  it('GitLab CI: merge request pipelines', () => {
    const found = detectCi({
      GITLAB_CI: 'true',
      CI_COMMIT_SHA: 'abc',
      CI_COMMIT_REF_NAME: 'feature',
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feature-mr',
      CI_MERGE_REQUEST_IID: '7',
      CI_PROJECT_PATH: 'group/app',
      CI_JOB_ID: '55',
      CI_JOB_URL: 'https://gitlab.example/group/app/-/jobs/55',
    });
    expect(found).toEqual({
      ci: { provider: 'gitlab-ci', buildId: '55', buildUrl: 'https://gitlab.example/group/app/-/jobs/55' },
      git: { commit: 'abc', branch: 'feature-mr', pr: '7', repository: 'group/app' },
    });
  });

  it('CircleCI: the PR number from the pull request URL', () => {
    const found = detectCi({
      CIRCLECI: 'true',
      CIRCLE_SHA1: 'c1',
      CIRCLE_BRANCH: 'dev',
      CIRCLE_PULL_REQUEST: 'https://github.com/acme/shop/pull/314',
      CIRCLE_PROJECT_USERNAME: 'acme',
      CIRCLE_PROJECT_REPONAME: 'shop',
      CIRCLE_BUILD_NUM: '12',
      CIRCLE_BUILD_URL: 'https://circleci.example/12',
    });
    expect(found.ci).toEqual({ provider: 'circleci', buildId: '12', buildUrl: 'https://circleci.example/12' });
    expect(found.git).toEqual({ commit: 'c1', branch: 'dev', pr: '314', repository: 'acme/shop' });
  });

  it('Jenkins: multibranch names win over the git plugin\'s origin/ branch', () => {
    expect(detectCi({ JENKINS_URL: 'http://jenkins', GIT_COMMIT: 'j1', GIT_BRANCH: 'origin/release', BUILD_NUMBER: '3', BUILD_URL: 'http://jenkins/job/3/' })).toEqual({
      ci: { provider: 'jenkins', buildId: '3', buildUrl: 'http://jenkins/job/3/' },
      git: { commit: 'j1', branch: 'release', pr: undefined },
    });
    expect(detectCi({ JENKINS_URL: 'http://j', BRANCH_NAME: 'PR-9', CHANGE_BRANCH: 'fix', CHANGE_ID: '9' }).git).toMatchObject({ branch: 'fix', pr: '9' });
  });

  it('Buildkite: "false" means no pull request', () => {
    const found = detectCi({ BUILDKITE: 'true', BUILDKITE_COMMIT: 'b1', BUILDKITE_BRANCH: 'main', BUILDKITE_PULL_REQUEST: 'false', BUILDKITE_BUILD_NUMBER: '8' });
    expect(found.ci.provider).toBe('buildkite');
    expect(found.git).toMatchObject({ commit: 'b1', branch: 'main' });
    expect(found.git.pr).toBeUndefined();
    expect(detectCi({ BUILDKITE: 'true', BUILDKITE_PULL_REQUEST: '77' }).git.pr).toBe('77');
  });

  it('any other CI sets CI=true; nothing set means a laptop', () => {
    expect(detectCi({ CI: 'true' }).ci.provider).toBe('generic');
    expect(detectCi({ CI: '1' }).ci.provider).toBe('generic');
    expect(detectCi({ CI: 'false' }).ci.provider).toBeNull();
    expect(detectCi({}).ci.provider).toBeNull();
    expect(isCi({ CI: 'true' })).toBe(true);
    expect(isCi({})).toBe(false);
  });
});

describe('git information', () => {
  it('asks git in the script directory for what the environment leaves out', () => {
    const git = fakeGit({ 'rev-parse HEAD': '0123abcd', 'rev-parse --abbrev-ref HEAD': 'main' });
    expect(detectEnvironment({}, '/repo/perf', git)).toEqual({ ci: { provider: null }, git: { commit: '0123abcd', branch: 'main' } });
    expect(git.calls).toEqual(['/repo/perf: git rev-parse HEAD', '/repo/perf: git rev-parse --abbrev-ref HEAD']);
  });

  it('prefers the CI variables, and does not take a detached HEAD for a branch', () => {
    const git = fakeGit({ 'rev-parse HEAD': 'local', 'rev-parse --abbrev-ref HEAD': 'HEAD' });
    expect(detectEnvironment({ GITHUB_ACTIONS: 'true', GITHUB_SHA: 'ci-sha', GITHUB_REF_NAME: 'main' }, '/r', git).git).toEqual({ commit: 'ci-sha', branch: 'main' });
    expect(git.calls).toEqual([]);
    expect(detectEnvironment({ CI: 'true' }, '/r', git).git).toEqual({ commit: 'local' });
  });

  it('works without git at all', () => {
    expect(detectEnvironment({}, '/nowhere', noGit)).toEqual({ ci: { provider: null }, git: {} });
  });
});

describe('recording defaults and test names', () => {
  it('records inside CI unless told otherwise; flags win over TELLTALE_RECORD', () => {
    expect(recordingEnabled(undefined, {})).toBe(false);
    expect(recordingEnabled(undefined, { CI: 'true' })).toBe(true);
    expect(recordingEnabled(undefined, { CI: 'true', TELLTALE_RECORD: '0' })).toBe(false);
    expect(recordingEnabled(undefined, { TELLTALE_RECORD: 'true' })).toBe(true);
    expect(recordingEnabled(false, { GITHUB_ACTIONS: 'true' })).toBe(false);
    expect(recordingEnabled(true, { TELLTALE_RECORD: '0' })).toBe(true);
  });

  it('names the test from the flag, k6 cloud metadata, or the script file', () => {
    expect(testNameOf('checkout', { cloud: { name: 'x' } }, 'a/b.ts')).toBe('checkout');
    expect(testNameOf(undefined, { cloud: { name: 'Shop checkout' } }, 'a/b.ts')).toBe('Shop checkout');
    expect(testNameOf(undefined, { ext: { loadimpact: { name: 'legacy' } } }, 'a/b.ts')).toBe('legacy');
    expect(testNameOf(undefined, {}, 'perf/checkout.test.ts')).toBe('checkout.test');
    expect(testNameOf('  ', { cloud: { name: 3 } }, 'smoke.js')).toBe('smoke');
  });
});
