/**
 * Session ticket keys, made by the primary and shared by every worker, so
 * a client resumes its TLS session whichever worker its next connection
 * lands on (Node's round-robin spreads connections over them). Node holds
 * one 48-byte key set per context (`setTicketKeys`), not a current key plus
 * older ones for decryption, so a rotation makes every outstanding ticket
 * unreadable: each client does one full handshake after it, then resumes
 * again. Rotating every 12 hours bounds how long a stolen key decrypts
 * recorded TLS 1.2 traffic (tickets are what forward secrecy hinges on
 * there), at the cost of one full handshake per client per 12 hours.
 */
import { randomBytes } from 'node:crypto';

export const TICKET_ROTATE_MS = 12 * 3_600_000;

/** 16 bytes of key name, 16 of HMAC secret, 16 of AES key, as hex for IPC. */
export function newTicketKeys(): string {
  return randomBytes(48).toString('hex');
}
