package dev.lockmanager.lock.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The Redis names of one lock: {@code <prefix>{<name>:<key>}} for the lease, with suffixes for the fencing counter,
 * the release channel, the turn (the process a free key is promised to) and the line (the processes waiting for it).
 * The braces are the Cluster hash tag, so all of them live in one slot.
 * <p>
 * The name and key are percent-encoded (UTF-8, everything but {@code [A-Za-z0-9._-]}), so the encoding is injective,
 * the {@code :} separator is unambiguous, and user data can never contain a brace (moving the hash slot) or a glob
 * character (matching patterns). Encoded names and keys longer than {@value #MAX_ENCODED_KEY} characters are replaced by
 * {@code #} and a SHA-256 digest; {@code #} never appears in a short encoding, so the two forms cannot collide.
 */
record LockKeys(String lease, String fencing, String channel, String turn, String line) {

	static final int MAX_ENCODED_KEY = 200;

	private static final char[] HEX = "0123456789ABCDEF".toCharArray();

	static LockKeys of(String prefix, String name, String key) {
		String lease = prefix + "{" + shorten(encode(name)) + ":" + shorten(encode(key)) + "}";
		return new LockKeys(lease, lease + ":fencing", lease + ":released", lease + ":turn", lease + ":line");
	}

	static String encode(String value) {
		byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
		StringBuilder encoded = new StringBuilder(bytes.length + 8);
		for (byte b : bytes) {
			int c = b & 0xFF;
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
					|| c == '-') {
				encoded.append((char) c);
			}
			else {
				encoded.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
			}
		}
		return encoded.toString();
	}

	private static String shorten(String encoded) {
		if (encoded.length() <= MAX_ENCODED_KEY) {
			return encoded;
		}
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(encoded.getBytes(StandardCharsets.US_ASCII));
			return "#" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required by every Java platform", ex);
		}
	}

}
