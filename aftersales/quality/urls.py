from aftersales.quality.views import complaints, follow_ups, reviews, rules

urlpatterns = [*follow_ups.urlpatterns, *complaints.urlpatterns, *reviews.urlpatterns, *rules.urlpatterns]
