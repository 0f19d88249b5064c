import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SesMailer } from '../adapters/ses/ses-mailer';
import { unconfiguredMailer } from '../adapters/system/unconfigured-mailer';
import { refusingSuppressed } from '../services/outbound-mail';
import { captureClient } from '../shared/tracing';
import { endpoint, transport, type PortFactories, type WiringContext } from './context';
import type { GroupPortName } from './groups';
import { tablePorts } from './table';

export const sesv2Client = (ctx: WiringContext): SESv2Client =>
  ctx.memo('sesv2', () =>
    captureClient(new SESv2Client({ region: ctx.config.AWS_REGION, ...transport(ctx), ...endpoint(ctx.config.AWS_ENDPOINT_URL_SESV2) })),
  );

export const mailPorts: PortFactories<GroupPortName<'mail'>> = {
  // Without a sending identity the placeholder answers `unavailable`; with one, SES v2.
  mailer: (ctx) =>
    ctx.config.MAIL_FROM
      ? refusingSuppressed(
          new SesMailer(sesv2Client(ctx), {
            from: ctx.config.MAIL_FROM,
            replyDomain: ctx.config.MAIL_REPLY_DOMAIN,
            configurationSet: ctx.config.MAIL_CONFIGURATION_SET,
          }),
          tablePorts.emailAddresses(ctx),
        )
      : unconfiguredMailer,
};
