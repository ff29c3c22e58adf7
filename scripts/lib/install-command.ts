/**
 * How the pack is installed into an n8n by hand, the way n8n's own community-package installer does
 * it: without the peer dependency n8n-workflow (n8n brings its own; a second copy is a second class
 * identity for NodeApiError & co., and about 160 more packages), without dev dependencies, without
 * install scripts. The README documents exactly this, and the e2e installs exactly this.
 */
export const INSTALL_FLAGS = ['--omit=peer', '--omit=dev', '--ignore-scripts'] as const;

/** The manual install command for a package spec (a name, or the path of a `.tgz`). */
export function installCommand(spec: string): string {
	return `npm install ${spec} ${INSTALL_FLAGS.join(' ')}`;
}
