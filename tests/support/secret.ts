import { DeploymentSecret } from '../../core/secret.ts';

/**
 * The deployment secret the tests share: what the library API is given in-process, and what
 * every `proweb` process a test starts gets in `PROWEB_SECRET` (see `cli.ts`), so that jobs a
 * test queues in-process are opened by the workers it starts, as on one deployment.
 * Random bytes written once here; a test secret, never a deployment's.
 */
export const TEST_SECRET_TEXT = 'Tr5AaH0Dh9e2eS+wvFaFGmMeySmJKn+N5heQKMVDP2Y=';

export const testSecret = DeploymentSecret.fromText(TEST_SECRET_TEXT, 'the tests\' secret');

/** Another deployment's secret (hex this time): what it seals, the tests' deployment must refuse. */
export const OTHER_SECRET_TEXT = '5ec117690f39043e3f9a130dd47d68683c53bc8215a46ac778f2b9d052808104';

export const otherDeploymentSecret = DeploymentSecret.fromText(OTHER_SECRET_TEXT, 'another deployment\'s secret');
