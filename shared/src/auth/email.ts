/**
 * The form an address is stored and looked up in: trimmed, Unicode NFC, lower-case
 * (the users table refuses any other form: `email = lower(btrim(email))`). Registration
 * and the accounts of external identities both store this form.
 */
export const normaliseEmail = (email: string): string => email.trim().normalize('NFC').toLowerCase();
