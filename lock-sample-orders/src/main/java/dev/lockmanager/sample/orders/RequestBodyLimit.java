package dev.lockmanager.sample.orders;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

/**
 * Bounds the bodies the order API reads ({@code orders.max-body-size}): one announced larger is refused before it is
 * read, and one sent without a length (chunked) once it grows past the limit, so no body is ever held in memory whole.
 */
@ControllerAdvice(assignableTypes = OrderController.class)
class RequestBodyLimit extends RequestBodyAdviceAdapter {

	private final DataSize limit;

	RequestBodyLimit(OrdersProperties properties) {
		this.limit = properties.maxBodySize();
	}

	@Override
	public boolean supports(MethodParameter parameter, Type targetType,
			Class<? extends HttpMessageConverter<?>> converterType) {
		return true;
	}

	@Override
	public HttpInputMessage beforeBodyRead(HttpInputMessage message, MethodParameter parameter, Type targetType,
			Class<? extends HttpMessageConverter<?>> converterType) throws IOException {
		if (message.getHeaders().getContentLength() > this.limit.toBytes()) {
			throw new BodyTooLargeException(this.limit);
		}
		InputStream body = new Bounded(message.getBody(), this.limit);
		return new HttpInputMessage() {

			@Override
			public InputStream getBody() {
				return body;
			}

			@Override
			public HttpHeaders getHeaders() {
				return message.getHeaders();
			}

		};
	}

	/**
	 * Throws {@link BodyTooLargeException} (unchecked, so that the JSON reader passes it on as it is) on the first
	 * byte past the limit.
	 */
	private static final class Bounded extends FilterInputStream {

		private final DataSize limit;

		private long left;

		Bounded(InputStream in, DataSize limit) {
			super(in);
			this.limit = limit;
			this.left = limit.toBytes();
		}

		@Override
		public int read() throws IOException {
			int b = super.read();
			count((b >= 0) ? 1 : 0);
			return b;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int n = super.read(buffer, offset, length);
			count(Math.max(n, 0));
			return n;
		}

		private void count(int bytes) {
			this.left -= bytes;
			if (this.left < 0) {
				throw new BodyTooLargeException(this.limit);
			}
		}

	}

}
