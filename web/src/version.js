// The app's version, put in by web/build.sh from web/package.json (esbuild --define).
/* global MODEL_SIGNING_WEB_VERSION */
export const VERSION = typeof MODEL_SIGNING_WEB_VERSION === 'string' ? MODEL_SIGNING_WEB_VERSION : 'dev';
