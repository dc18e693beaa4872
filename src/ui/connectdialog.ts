import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { IGatewayConfig } from '../gateway/config';
import {
  gatewayConflict,
  gatewayLabel,
  parseGatewaySettings
} from '../gateway/config';
import { isGatewayBackend } from '../managers/backend';
import type { IKernelGateway } from '../tokens';
import { runConnectionTest } from './connectiontest';

/**
 * What the user typed in the form.
 */
export interface IConnectValues {
  url: string;
  token: string;
  name: string;
}

/**
 * A gateway as listed in the `gateways` setting.
 */
type GatewayEntry = Record<string, string>;

/**
 * Where the form adds a gateway: the `gateways` setting.
 */
export interface IGatewayList {
  /**
   * The gateways listed now (the user's, else the administrator's).
   */
  current(): ReadonlyArray<unknown>;
  /**
   * Write the new list into the user's settings (applied live).
   */
  save(list: ReadonlyArray<unknown>): Promise<void>;
}

/**
 * Split a pasted gateway URL: a `?token=` in it belongs in the token field
 * (the token must not be kept in the URL, which the settings refuse with a
 * query anyway). Anything else is left to the settings' own check.
 */
export function splitPastedUrl(text: string): {
  url: string;
  token: string | null;
} {
  const trimmed = text.trim();
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return { url: trimmed, token: null };
  }
  const token = parsed.searchParams.get('token');
  if (token === null) {
    return { url: trimmed, token: null };
  }
  parsed.searchParams.delete('token');
  return { url: parsed.toString(), token };
}

/**
 * "Connect to a Kernel Gateway…": a form (URL, token, name), checked like
 * the settings and against the gateways configured, then the connection
 * test; when every step passes the gateway is added to the user's
 * `gateways` setting, which applies live. A failed test leads back to the
 * form with what was typed.
 *
 * @returns the gateway added, or `null`.
 */
export async function connectGateway(options: {
  gateway: IKernelGateway;
  list: IGatewayList;
  trans: TranslationBundle;
}): Promise<IGatewayConfig | null> {
  const { gateway, list, trans } = options;
  let values: IConnectValues = { url: '', token: '', name: '' };
  for (;;) {
    const result = await showDialog<IConnectValues>({
      title: trans.__('Connect to a Kernel Gateway'),
      body: new ConnectForm(values, trans),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Test and add') })
      ],
      focusNodeSelector: 'input'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    values = result.value;
    const entry: GatewayEntry = { gatewayUrl: values.url };
    if (values.token) {
      entry.authToken = values.token;
    }
    if (values.name) {
      entry.gatewayName = values.name;
    }
    const checked = parseGatewaySettings(entry);
    const problem =
      checked.problems[0]?.message ??
      (checked.config.url
        ? taken(gateway, checked.config, trans)
        : trans.__('Enter the gateway URL.'));
    if (problem) {
      await showErrorMessage(trans.__('Connect to a Kernel Gateway'), {
        message: problem
      });
      continue;
    }
    const config = checked.config;
    let added = false;
    const { steps, actions } = await runConnectionTest({
      gateway,
      trans,
      config,
      title: trans.__('Connect to %1', gatewayLabel(config)),
      buttons: [
        Dialog.createButton({ label: trans.__('Back'), actions: ['edit'] }),
        Dialog.okButton({ label: trans.__('Close') })
      ],
      onDone: async passed => {
        if (!passed) {
          return trans.__(
            'Not added: fix what failed, then try again ("Back" keeps what you typed).'
          );
        }
        await list.save([...list.current(), entry]);
        added = true;
        return trans.__(
          'Added "%1": its kernels are offered as %2:<kernelspec>.',
          gatewayLabel(config),
          gatewayLabel(config)
        );
      }
    });
    if (added) {
      return config;
    }
    if (!actions.includes('edit') || steps.length === 0) {
      return null;
    }
  }
}

/**
 * Why a gateway cannot be added beside those configured, if it cannot (the
 * check the settings make, `gatewayConflict`).
 */
function taken(
  gateway: IKernelGateway,
  config: IGatewayConfig,
  trans: TranslationBundle
): string | null {
  const configured = [
    ...(gateway.isGateway ? [gateway.config] : []),
    ...gateway.beside.filter(isGatewayBackend).map(backend => backend.config)
  ];
  switch (gatewayConflict(config, configured)) {
    case 'url':
      return trans.__('%1 is already configured.', config.url);
    case 'name':
      return trans.__(
        'The name "%1" is already taken: give this gateway another name.',
        gatewayLabel(config)
      );
    case null:
      return null;
  }
}

/**
 * The form: labelled fields; a URL pasted with `?token=` is split at once.
 */
export class ConnectForm
  extends Widget
  implements Dialog.IBodyWidget<IConnectValues>
{
  constructor(values: IConnectValues, trans: TranslationBundle) {
    super();
    this.addClass('jp-KernelGateway-connect');
    this._url = this._field(
      'url',
      trans.__('Gateway URL'),
      trans.__(
        'http(s):// address of the gateway; a URL with ?token= fills the token field.'
      ),
      values.url,
      'url'
    );
    this._token = this._field(
      'token',
      trans.__('Token'),
      trans.__("The gateway's auth token, if it has one."),
      values.token,
      'password'
    );
    this._name = this._field(
      'name',
      trans.__('Name'),
      trans.__(
        'Shown beside its kernels (at most 40 characters). Empty: the host.'
      ),
      values.name,
      'text'
    );
    this._url.addEventListener('input', () => {
      const { url, token } = splitPastedUrl(this._url.value);
      if (token !== null) {
        this._url.value = url;
        this._token.value = token;
      }
    });
  }

  getValue(): IConnectValues {
    const { url, token } = splitPastedUrl(this._url.value);
    return {
      url,
      token: token ?? this._token.value.trim(),
      name: this._name.value.trim()
    };
  }

  private _field(
    key: string,
    title: string,
    hint: string,
    value: string,
    type: string
  ): HTMLInputElement {
    const id = `jp-KernelGateway-connect-${key}`;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = title;
    const input = document.createElement('input');
    input.className = 'jp-mod-styled';
    input.id = id;
    input.type = type;
    input.value = value;
    input.autocomplete = 'off';
    const help = document.createElement('div');
    help.className = 'jp-KernelGateway-launchHint';
    help.id = `${id}-hint`;
    help.textContent = hint;
    input.setAttribute('aria-describedby', help.id);
    this.node.append(label, input, help);
    return input;
  }

  private _url: HTMLInputElement;
  private _token: HTMLInputElement;
  private _name: HTMLInputElement;
}
