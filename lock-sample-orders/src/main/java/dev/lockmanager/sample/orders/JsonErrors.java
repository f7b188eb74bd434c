package dev.lockmanager.sample.orders;

import java.util.List;

import tools.jackson.core.JacksonException;

import org.springframework.http.converter.HttpMessageNotReadableException;

/**
 * Finds which field of a request body Jackson could not read.
 */
final class JsonErrors {

	private JsonErrors() {
	}

	/**
	 * @return the JSON name of the offending field, or {@code null} when the body as a whole is malformed
	 */
	static String field(HttpMessageNotReadableException ex) {
		if (ex.getCause() instanceof JacksonException jackson) {
			List<JacksonException.Reference> path = jackson.getPath();
			if (!path.isEmpty() && path.get(0).getPropertyName() != null) {
				return path.get(0).getPropertyName();
			}
		}
		return null;
	}

}
