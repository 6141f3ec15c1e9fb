from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from .services import MIN_PASSWORD


class SignInForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class SignUpForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(message=_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)],
    )
    display_name = StringField(_l("Your name"), validators=[Length(max=80)])
    role = RadioField(
        _l("I am"),
        choices=[
            SelectChoice("customer", _l("a shopper (souvenirs, gifts, fresh fish)")),
            SelectChoice("seller", _l("a fisher or processor who wants to sell")),
            SelectChoice("restaurant", _l("a restaurant or business buyer")),
        ],
        default="customer",
        validators=[DataRequired()],
    )
