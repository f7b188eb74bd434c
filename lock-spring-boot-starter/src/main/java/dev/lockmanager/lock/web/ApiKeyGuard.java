package dev.lockmanager.lock.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpHeaders;

/**
 * Admits requests that send the configured API key as {@code Authorization: Bearer <key>}. The comparison takes the
 * same time wherever the given key first differs, so the key cannot be guessed from response times.
 */
final class ApiKeyGuard extends LockApiGuard {

	static final String CHALLENGE = "Bearer realm=\"lock-api\"";

	private static final String SCHEME = "Bearer ";

	private final byte[] key;

	ApiKeyGuard(String key) {
		this.key = key.getBytes(StandardCharsets.UTF_8);
	}

	@Override
	void check(HttpServletRequest request) {
		String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
		if (authorization == null || authorization.isBlank()) {
			throw new LockApiAuthenticationException(CHALLENGE,
					"Authentication is required: send the API key as 'Authorization: Bearer <key>'");
		}
		if (!authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
			throw new LockApiAuthenticationException(CHALLENGE,
					"The Authorization header must use the Bearer scheme: 'Authorization: Bearer <key>'");
		}
		byte[] given = authorization.substring(SCHEME.length()).strip().getBytes(StandardCharsets.UTF_8);
		if (!MessageDigest.isEqual(this.key, given)) {
			throw new LockApiAuthenticationException(CHALLENGE + ", error=\"invalid_token\"",
					"The API key is not valid");
		}
	}

}
