package dev.lockmanager.sample.orders;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import org.springframework.http.converter.HttpMessageNotReadableException;

/**
 * What Jackson could not read in a request body, as the client should hear it.
 */
final class JsonErrors {

	/** The parser's words for a repeated property (strict duplicate detection), which name it nowhere else. */
	private static final Pattern DUPLICATE = Pattern.compile("Duplicate Object property \"(.*)\"");

	private JsonErrors() {
	}

	/**
	 * @param example the body as it should be, for a body malformed as a whole
	 */
	static Fault of(HttpMessageNotReadableException ex, String example) {
		if (!(ex.getCause() instanceof JacksonException jackson)) {
			return Fault.malformed(null, "The body must be a JSON object like " + example);
		}
		String field = field(jackson);
		if (jackson instanceof UnrecognizedPropertyException unknown) {
			return Fault.invalid(unknown.getPropertyName(), unknown.getPropertyName() + " is not a property of an "
					+ "order: the body may contain only " + unknown.getKnownPropertyIds()
						.stream()
						.map(String::valueOf)
						.sorted()
						.collect(Collectors.joining(" and ")));
		}
		if (jackson instanceof InputCoercionException && field != null) {
			// An integer too large for an int: out of range like any other (quantity is the only number)
			return Fault.invalid(field, field + " " + OrderRequest.QUANTITY_RANGE);
		}
		Matcher duplicate = DUPLICATE.matcher(String.valueOf(jackson.getOriginalMessage()));
		if (duplicate.matches()) {
			return Fault.malformed(duplicate.group(1), duplicate.group(1) + " appears more than once");
		}
		if (jackson instanceof MismatchedInputException mismatch && field != null) {
			Class<?> type = mismatch.getTargetType();
			return Fault.malformed(field, field + " must be "
					+ ((type == String.class) ? "a JSON string" : (type == Integer.class) ? "a JSON integer" : "valid"));
		}
		return Fault.malformed(field, (field != null) ? field + " has the wrong type or format"
				: "The body must be a JSON object like " + example);
	}

	/**
	 * @return the JSON name of the offending field, or {@code null} when the body as a whole is malformed
	 */
	private static String field(JacksonException jackson) {
		List<JacksonException.Reference> path = jackson.getPath();
		return (!path.isEmpty() && path.get(0).getPropertyName() != null) ? path.get(0).getPropertyName() : null;
	}

	/**
	 * A refused body.
	 *
	 * @param code {@code MALFORMED_BODY} (not JSON, or the wrong JSON type) or {@code INVALID_FIELD} (a value or
	 * property the order does not allow)
	 * @param field the offending field, or {@code null} for the body as a whole
	 * @param detail what is wrong
	 */
	record Fault(String code, String field, String detail) {

		static Fault malformed(String field, String detail) {
			return new Fault("MALFORMED_BODY", field, detail);
		}

		static Fault invalid(String field, String detail) {
			return new Fault("INVALID_FIELD", field, detail);
		}

	}

}
