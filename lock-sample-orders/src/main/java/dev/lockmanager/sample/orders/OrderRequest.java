package dev.lockmanager.sample.orders;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code POST /order}: {@code {"item_name": "item1", "quantity": 1}}.
 *
 * @param itemName the item to order
 * @param quantity how many, from 1 to 10,000
 */
public record OrderRequest(@NotBlank @Size(max = 100) String itemName,
		@NotNull @Min(value = 1, message = QUANTITY_RANGE) @Max(value = OrderRequest.MAX_QUANTITY,
				message = QUANTITY_RANGE) Integer quantity) {

	static final long MAX_QUANTITY = 10_000;

	/** Also the answer for a quantity too large for an {@code int}. */
	static final String QUANTITY_RANGE = "must be between 1 and " + MAX_QUANTITY;

}
