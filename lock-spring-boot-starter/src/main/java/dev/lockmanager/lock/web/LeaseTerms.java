package dev.lockmanager.lock.web;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;

import org.springframework.format.annotation.DurationFormat;
import org.springframework.format.datetime.standard.DurationFormatterUtils;

/**
 * The body of an acquisition ({@code {"ttl": "10s", "waitTime": "2s"}}) or a renewal ({@code {"ttl": "10s"}}).
 * Durations are JSON strings in Spring's formats: {@code "500ms"}, {@code "10s"}, {@code "1m30s"} or ISO-8601
 * {@code "PT10S"}, at millisecond precision. A bare number is refused (other than {@code "0"}): without a unit,
 * {@code "10"} would be read as 10 milliseconds.
 *
 * @param ttl how long the lease is valid, at least 1ms (the manager's {@code max-ttl} applies)
 * @param waitTime how long to wait for the holder; zero tries once (the manager's {@code max-wait-time} applies)
 */
record LeaseTerms(Duration ttl, Duration waitTime) {

	private static final String EXAMPLES = "such as \"10s\", \"500ms\" or \"PT10S\"";

	private static final Set<String> ACQUISITION = Set.of("ttl", "waitTime");

	private static final Set<String> RENEWAL = Set.of("ttl");

	static LeaseTerms ofAcquisition(Map<String, Object> body) {
		requireOnly(ACQUISITION, body, "{\"ttl\": \"10s\", \"waitTime\": \"2s\"}");
		Duration ttl = ttl(body);
		Object waitTime = body.get("waitTime");
		if (waitTime == null) {
			return new LeaseTerms(ttl, Duration.ZERO);
		}
		Duration wait = duration("waitTime", waitTime);
		if (wait.isNegative()) {
			throw new InvalidFieldException("waitTime", "waitTime must not be negative but was " + print(wait));
		}
		return new LeaseTerms(ttl, wait);
	}

	static Duration ofRenewal(Map<String, Object> body) {
		requireOnly(RENEWAL, body, "{\"ttl\": \"10s\"}");
		return ttl(body);
	}

	/**
	 * A duration as the API writes it: {@code "10s"}, {@code "1s500ms"}, {@code "2m"}.
	 */
	static String print(Duration duration) {
		return DurationFormatterUtils.print(duration, DurationFormat.Style.COMPOSITE);
	}

	private static void requireOnly(Set<String> properties, Map<String, Object> body, String example) {
		if (body == null) {
			throw new InvalidFieldException("body", "The body must be a JSON object such as " + example);
		}
		for (String property : body.keySet()) {
			if (!properties.contains(property)) {
				throw new InvalidFieldException(abbreviate(property), "Unknown property '" + abbreviate(property)
						+ "': the body may contain only " + String.join(" and ", properties.stream().sorted().toList())
						+ ", such as " + example);
			}
		}
	}

	private static Duration ttl(Map<String, Object> body) {
		Object value = body.get("ttl");
		if (value == null) {
			throw new InvalidFieldException("ttl", "ttl is required: a duration " + EXAMPLES);
		}
		Duration ttl = duration("ttl", value);
		if (ttl.toMillis() < 1) {
			throw new InvalidFieldException("ttl", "ttl must be at least 1ms but was " + print(ttl));
		}
		return ttl;
	}

	private static Duration duration(String field, Object value) {
		if (!(value instanceof String text)) {
			throw new InvalidFieldException(field, field + " must be a string " + EXAMPLES + " but was the JSON "
					+ ((value instanceof Number) ? "number " + value : "value " + abbreviate(String.valueOf(value))));
		}
		String trimmed = text.strip();
		if (trimmed.isEmpty()) {
			throw new InvalidFieldException(field, field + " must not be empty: give a duration " + EXAMPLES);
		}
		if (trimmed.chars().allMatch(Character::isDigit) && !trimmed.chars().allMatch((c) -> c == '0')) {
			throw new InvalidFieldException(field,
					field + " needs a unit, " + EXAMPLES + ", but was '" + abbreviate(trimmed) + "'");
		}
		Duration duration;
		try {
			duration = DurationFormatterUtils.detectAndParse(trimmed).truncatedTo(ChronoUnit.MILLIS);
		}
		catch (RuntimeException ex) {
			throw new InvalidFieldException(field,
					field + " must be a duration " + EXAMPLES + " but was '" + abbreviate(trimmed) + "'");
		}
		try {
			duration.toMillis();
		}
		catch (ArithmeticException ex) {
			throw new InvalidFieldException(field, field + " is too long: '" + abbreviate(trimmed) + "'");
		}
		return duration;
	}

	private static String abbreviate(String text) {
		return (text.length() <= 40) ? text : text.substring(0, 40) + "...";
	}

}
