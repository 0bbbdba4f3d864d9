package httpapi

// routes registers every operation. One file per resource holds its handlers.
func (s *Server) routes() {
	s.healthRoutes()
	s.authRoutes()
	s.accountRoutes()
	s.memberRoutes()
	s.propertyRoutes()
	s.contractorRoutes()
	s.timelineRoutes()
	s.settingsRoutes()
	s.ticketRoutes()
	s.attachmentRoutes()
	s.certificateRoutes()
	s.publicRoutes()
	s.workOrderRoutes()
	s.quoteRoutes()
	s.invoiceRoutes()
	s.webhookRoutes()
	s.aiRoutes()
	s.messagingRoutes()
	s.billingRoutes()
	s.complianceRoutes()
	s.evidenceRoutes()
}
