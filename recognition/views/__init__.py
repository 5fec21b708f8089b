"""Views of recognition, split by audience: public, applicant, commission, manage."""
