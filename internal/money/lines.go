package money

// FromStored rebuilds a priced line from its stored columns.
func FromStored(description string, quantityMilli, unitPricePence int64, vatRatePercent int32, netPence, vatPence int64) Line {
	return Line{
		Description: description, Quantity: float64(quantityMilli) / 1000, QuantityMilli: quantityMilli,
		UnitPricePence: unitPricePence, VATRatePercent: int(vatRatePercent), NetPence: netPence, VATPence: vatPence,
	}
}
