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

	static String next() {
		byte[] token = new byte[16];
		random.nextBytes(token);
		return HexFormat.of().formatHex(token);
	}

}
