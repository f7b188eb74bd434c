package dev.lockmanager.lock.redis;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Random 128-bit owner tokens: a lease belongs to whoever holds its token, not to a thread or a process.
 */
final class OwnerTokens {

	private static final SecureRandom random = new SecureRandom();

	private OwnerTokens() {
	}

	/**
	 * Whether {@code token} has the shape of a token this class issues (a cheap check on input from clients).
	 */
	static boolean isWellFormed(String token) {
		if (token == null || token.length() != 32) {
			return false;
		}
		for (int i = 0; i < token.length(); i++) {
			char c = token.charAt(i);
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
				return false;
			}
		}
		return true;
	}

	static String next() {
		byte[] token = new byte[16];
		random.nextBytes(token);
		return HexFormat.of().formatHex(token);
	}

}
