/** The migrated database each test file clones (created by global-setup.ts). */
export const TEMPLATE_DB = 'fieldline_template';
