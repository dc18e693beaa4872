import type { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { nullTranslator } from '@jupyterlab/translation';

/**
 * This extension's translation domain (its Python package's name, as
 * JupyterLab's language packs expect).
 */
export const TRANSLATION_DOMAIN = 'jupyterlab_kernel_gateway';

/**
 * This extension's strings, in the user's language where a language pack
 * has them.
 */
export function translations(
  translator: ITranslator | null
): TranslationBundle {
  return (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
}
