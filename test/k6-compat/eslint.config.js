// The scripts under scripts/ are k6 scripts: they run with k6's init-context globals.
import root from '../../eslint.config.js';

export default [
  ...root,
  {
    files: ['scripts/**/*.js'],
    languageOptions: {
      globals: { __ENV: 'readonly', __VU: 'readonly', __ITER: 'readonly', open: 'readonly' },
    },
  },
];
