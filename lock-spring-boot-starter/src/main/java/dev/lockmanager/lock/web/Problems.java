package dev.lockmanager.lock.web;

import java.io.IOException;
import java.net.URI;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.http.server.ServletServerHttpResponse;

/**
 * The API's RFC 9457 problem details: each has a {@code code} that clients can switch on, and the request path as its
 * {@code instance}. Problems raised inside Spring MVC are returned from the controller's exception handlers; those
 * raised before it (authentication by Spring Security) are written here with Spring's own message converters.
 */
final class Problems {

	private static final HttpMessageConverters converters = HttpMessageConverters.forServer().registerDefaults().build();

	private Problems() {
	}

	static ProblemDetail of(HttpStatus status, String title, String code, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setTitle(title);
		problem.setProperty("code", code);
		return problem;
	}

	static ProblemDetail invalidField(String field, String detail) {
		ProblemDetail problem = of(HttpStatus.BAD_REQUEST, "Invalid request", "INVALID_FIELD", detail);
		if (field != null) {
			problem.setProperty("field", field);
		}
		return problem;
	}

	/**
	 * Writes a problem outside Spring MVC, as {@code application/problem+json}.
	 */
	@SuppressWarnings("unchecked")
	static void write(ProblemDetail problem, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		try {
			problem.setInstance(URI.create(request.getRequestURI()));
		}
		catch (IllegalArgumentException ex) {
			// Not a URI reference: leave the instance out rather than fail the error response.
		}
		response.setStatus(problem.getStatus());
		for (HttpMessageConverter<?> converter : converters) {
			if (converter.canWrite(ProblemDetail.class, MediaType.APPLICATION_PROBLEM_JSON)) {
				ServletServerHttpResponse output = new ServletServerHttpResponse(response);
				((HttpMessageConverter<ProblemDetail>) converter).write(problem, MediaType.APPLICATION_PROBLEM_JSON,
						output);
				output.flush();
				return;
			}
		}
		// No JSON library at all: the status (and the challenge header set by the caller) must do.
	}

}
