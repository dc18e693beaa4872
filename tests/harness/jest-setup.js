/**
 * Keep the test output readable: JupyterLab's services log every websocket
 * and kernel status at debug level. Set JEST_VERBOSE=1 to see them.
 */
if (!process.env.JEST_VERBOSE) {
  console.debug = () => undefined;
}
