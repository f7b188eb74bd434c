package dev.lockmanager.lock.web;

import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Configuration of the HTTP lock API, under the {@code distributed-lock.http} prefix. Validated when bound: an invalid
 * value fails the application context with the property name and the reason.
 *
 * @param enabled Whether to serve the HTTP lock API. It then requires authentication: an api-key, or Spring Security
 * with the role LOCK_CLIENT.
 * @param basePath Path under which locks are served: {base-path}/{name} and {base-path}/{name}/{key}.
 * @param apiKey Shared secret that clients send as "Authorization: Bearer <api-key>", at least 16 printable ASCII
 * characters. When set, it replaces Spring Security for the API's paths.
 */
@ConfigurationProperties("distributed-lock.http")
public record LockApiProperties(@DefaultValue("false") boolean enabled, @DefaultValue("/locks") String basePath,
		String apiKey) {

	/** The shortest API key accepted. */
	static final int MIN_API_KEY_LENGTH = 16;

	private static final Pattern BASE_PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)+");

	private static final Pattern API_KEY = Pattern.compile("[\\x21-\\x7E]+");

	public LockApiProperties {
		if (!BASE_PATH.matcher(basePath).matches()) {
			throw new IllegalArgumentException("distributed-lock.http.base-path must be a path such as /locks or "
					+ "/api/locks (segments of letters, digits, '.', '_', '~' or '-', no trailing slash) but was '"
					+ basePath + "'");
		}
		if (apiKey != null && apiKey.isBlank()) {
			// An empty placeholder (api-key: ${LOCK_API_KEY:}) means "no key", never "accept an empty key".
			apiKey = null;
		}
		if (apiKey != null && (apiKey.length() < MIN_API_KEY_LENGTH || !API_KEY.matcher(apiKey).matches())) {
			// The key itself is never part of the message.
			throw new IllegalArgumentException("distributed-lock.http.api-key must be at least " + MIN_API_KEY_LENGTH
					+ " printable ASCII characters without spaces but was " + apiKey.length() + " characters long"
					+ (API_KEY.matcher(apiKey).matches() ? "" : " and contains spaces or other characters"));
		}
	}

	@Override
	public String toString() {
		return "LockApiProperties[enabled=" + this.enabled + ", basePath=" + this.basePath + ", apiKey="
				+ ((this.apiKey != null) ? "(set)" : "(none)") + "]";
	}

}
