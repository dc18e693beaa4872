/**
 * Whether an image loads, in a browser. An `<img>` request is not subject to
 * CORS and carries no Origin header, so a gateway's logo that loads with
 * the token proves the token even when the gateway refuses this origin.
 */
export function loadImage(url: string, timeoutMs = 10000): Promise<boolean> {
  return new Promise(resolve => {
    const image = new Image();
    image.referrerPolicy = 'no-referrer';
    const timer = setTimeout(() => resolve(false), timeoutMs);
    image.onload = () => {
      clearTimeout(timer);
      resolve(true);
    };
    image.onerror = () => {
      clearTimeout(timer);
      resolve(false);
    };
    image.src = url;
  });
}
