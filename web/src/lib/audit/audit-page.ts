/** Entries per page of the audit view (the agent allows up to 500). */
export const AUDIT_PAGE = 50
